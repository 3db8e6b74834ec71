// Public entry of the dashboards workspace (the console's API client helpers; the React app comes later).
export { ApiProblemError, problemFromResponse, type Problem } from './api/problem.js';
