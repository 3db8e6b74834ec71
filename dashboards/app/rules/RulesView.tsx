// The Rules view: /rules lists shipped and tenant rules, /rules/new uploads a rule file,
// /rules/files/<slug> shows one of the tenant's files and /rules/files/<slug>/edit replaces it.
import { Link } from '../shell/Shell.js';
import { useRoute } from '../shell/router.js';
import { Empty } from '../ui/primitives.js';
import { RuleEditor } from './RuleEditor.js';
import { RuleFileView } from './RuleFileView.js';
import { RuleList } from './RuleList.js';

const SLUG = '[a-z0-9][a-z0-9_-]{0,62}';

export function RulesView() {
  const { path } = useRoute();
  if (path === '/rules' || path === '/rules/') return <RuleList />;
  if (path === '/rules/new') return <RuleEditor />;
  const file = new RegExp(`^/rules/files/(${SLUG})(/edit)?$`).exec(path);
  if (file?.[1]) {
    return file[2] ? (
      <RuleEditor key={`edit:${file[1]}`} slug={file[1]} />
    ) : (
      <RuleFileView key={file[1]} slug={file[1]} />
    );
  }
  return (
    <Empty title="No such rules page">
      <Link href="/rules" className="text-accent underline">
        Go to the rules
      </Link>
    </Empty>
  );
}
