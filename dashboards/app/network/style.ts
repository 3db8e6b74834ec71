// The map's colours and the legend: the kinds differ by shape as well as colour (hosts ringed, internal
// addresses filled, external addresses hollow), so the legend does not rely on colour alone.
export type NodeKind = 'host' | 'internal' | 'external';

export const KIND_COLOR: Record<NodeKind, [number, number, number]> = {
  host: [78, 161, 255],
  internal: [52, 211, 153],
  external: [255, 159, 67],
};

export const KIND_LABEL: Record<NodeKind, string> = {
  host: 'Host with an agent (ringed)',
  internal: 'Internal address (filled)',
  external: 'External address (hollow)',
};

export const KIND_SWATCH: Record<NodeKind, string> = {
  host: 'inline-block h-3 w-3 rounded-full bg-[rgb(78,161,255)] ring-2 ring-white',
  internal: 'inline-block h-3 w-3 rounded-full bg-[rgb(52,211,153)]',
  external: 'inline-block h-3 w-3 rounded-full border-2 border-[rgb(255,159,67)]',
};
