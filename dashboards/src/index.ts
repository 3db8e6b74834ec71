// Public entry of the dashboards workspace (the console's API client helpers; the React app comes later).
export { ApiProblemError, problemFromBody, problemFromResponse, type Problem } from './api/problem.js';
