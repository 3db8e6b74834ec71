// The network map's force layout, off the main thread: d3-force over the nodes and links for a fixed number
// of ticks; the positions go back as a transferred Float32Array (x0, y0, x1, y1, ...).
import { forceCenter, forceLink, forceManyBody, forceSimulation, type SimulationNodeDatum } from 'd3-force';

export interface LayoutRequest {
  nodes: number;
  /** Pairs of node indexes (source, target). */
  links: Uint32Array;
  /** One weight per link in [0, 1] (heavier links pull closer). */
  weights: Float32Array;
  ticks: number;
}

export interface LayoutResult {
  positions: Float32Array;
  ms: number;
}

interface LayoutNode extends SimulationNodeDatum {
  index: number;
}

interface LayoutLink {
  source: number;
  target: number;
  weight: number;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResult, options: { transfer: Transferable[] }): void;
};

scope.onmessage = (event) => {
  const started = performance.now();
  const { nodes: count, links: pairs, weights, ticks } = event.data;
  const nodes: LayoutNode[] = Array.from({ length: count }, (_, index) => ({ index }));
  const links: LayoutLink[] = [];
  for (let i = 0; i < weights.length; i++) {
    links.push({ source: pairs[2 * i]!, target: pairs[2 * i + 1]!, weight: weights[i]! });
  }
  const simulation = forceSimulation(nodes)
    .force(
      'link',
      forceLink<LayoutNode, LayoutLink>(links)
        .id((node) => node.index)
        .distance((link) => 30 + 40 * (1 - link.weight)),
    )
    .force(
      'charge',
      forceManyBody()
        .strength(count > 2000 ? -8 : -40)
        .theta(0.9),
    )
    .force('center', forceCenter(0, 0))
    .stop();
  simulation.tick(ticks);
  const positions = new Float32Array(count * 2);
  for (const node of nodes) {
    positions[2 * node.index] = node.x ?? 0;
    positions[2 * node.index + 1] = node.y ?? 0;
  }
  scope.postMessage({ positions, ms: performance.now() - started }, { transfer: [positions.buffer] });
};
