// The incidents view: /incidents lists them (filters in the URL), /incidents/<id> is one incident with its
// status workflow, alerts, notes and timeline.
import { useRoute } from '../shell/router.js';
import { Empty } from '../ui/primitives.js';
import { IncidentDetailView } from './IncidentDetail.js';
import { IncidentList } from './IncidentList.js';

export function IncidentsView() {
  const route = useRoute();
  if (route.path === '/incidents' || route.path === '/incidents/') return <IncidentList />;
  const detail = /^\/incidents\/([0-9a-f-]{36})$/i.exec(route.path);
  if (detail?.[1]) return <IncidentDetailView key={detail[1]} id={detail[1].toLowerCase()} />;
  return (
    <Empty title="No such incident">
      <a className="text-accent underline" href="/incidents">
        Go to the incidents
      </a>
    </Empty>
  );
}
