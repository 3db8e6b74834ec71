// The network map's WebGL canvas (deck.gl, loaded with the view only): nodes as circles sized by bytes,
// edges as lines as wide as their weight, positions from the layout worker, hover tooltips, and a click on a
// host that opens its alerts.
import { OrthographicView, OrthographicViewport, type PickingInfo } from '@deck.gl/core';
import { LineLayer, ScatterplotLayer } from '@deck.gl/layers';
import DeckGL from '@deck.gl/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { navigate } from '../shell/router.js';
import { formatBytes, NUMBER, type Graph, type GraphEdge, type GraphNode } from './data.js';
import type { LayoutRequest, LayoutResult } from './layout.worker.js';
import type { ScreenPoint, Weight } from './NetworkMapView.js';
import { KIND_COLOR } from './style.js';

interface ViewState {
  target: [number, number, number];
  zoom: number;
}

interface Props {
  graph: Graph;
  weight: Weight;
  onLayout: (ms: number) => void;
  onHostPoints: (points: Map<string, ScreenPoint>) => void;
}

// One view for the canvas's lifetime (a new view object each render would make deck.gl rebuild its viewports).
const VIEW = new OrthographicView({ id: 'map' });

// Picking on edges costs a second render of every line on each pointer move; big graphs pick nodes only.
const PICKABLE_EDGES = 5000;

function ticksFor(nodes: number): number {
  return nodes <= 500 ? 300 : nodes <= 2000 ? 150 : 80;
}

export default function MapCanvas({ graph, weight, onLayout, onHostPoints }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 500 });
  const [positions, setPositions] = useState<Float32Array | null>(null);
  const [viewState, setViewState] = useState<ViewState>({ target: [0, 0, 0], zoom: 0 });

  const index = useMemo(() => new Map(graph.nodes.map((node, i) => [node.id, i])), [graph]);
  const links = useMemo(() => {
    const pairs: Array<{ edge: GraphEdge; s: number; t: number }> = [];
    for (const edge of graph.edges) {
      const s = index.get(edge.source);
      const t = index.get(edge.target);
      if (s !== undefined && t !== undefined) pairs.push({ edge, s, t });
    }
    return pairs;
  }, [graph, index]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The layout, off the main thread; heavier edges pull their ends closer.
  useEffect(() => {
    setPositions(null);
    const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    const pairs = new Uint32Array(links.length * 2);
    const weights = new Float32Array(links.length);
    const max = links.reduce((m, l) => Math.max(m, l.edge.bytes), 1);
    links.forEach((link, i) => {
      pairs[2 * i] = link.s;
      pairs[2 * i + 1] = link.t;
      weights[i] = Math.sqrt(link.edge.bytes / max);
    });
    worker.onmessage = (event: MessageEvent<LayoutResult>) => {
      setPositions(event.data.positions);
      onLayout(event.data.ms);
      worker.terminate();
    };
    const request: LayoutRequest = {
      nodes: graph.nodes.length,
      links: pairs,
      weights,
      ticks: ticksFor(graph.nodes.length),
    };
    worker.postMessage(request, [pairs.buffer, weights.buffer]);
    return () => worker.terminate();
  }, [graph, links, onLayout]);

  // Fit the laid-out graph into the canvas once it arrives.
  useEffect(() => {
    if (!positions || positions.length === 0) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < positions.length; i += 2) {
      minX = Math.min(minX, positions[i]!);
      maxX = Math.max(maxX, positions[i]!);
      minY = Math.min(minY, positions[i + 1]!);
      maxY = Math.max(maxY, positions[i + 1]!);
    }
    const scale = Math.min(size.width / Math.max(maxX - minX, 1), size.height / Math.max(maxY - minY, 1), 8);
    setViewState({ target: [(minX + maxX) / 2, (minY + maxY) / 2, 0], zoom: Math.log2(scale * 0.85) });
    // The fit follows a new layout or a resize, not the user's own panning.
  }, [positions, size.width, size.height]);

  // Where each host is on screen (the host list carries it, for tests and tools driving the canvas).
  useEffect(() => {
    if (!positions) return;
    const viewport = new OrthographicViewport({ width: size.width, height: size.height, ...viewState });
    const points = new Map<string, ScreenPoint>();
    graph.nodes.forEach((node, i) => {
      if (node.kind !== 'host') return;
      const [x, y] = viewport.project([positions[2 * i]!, positions[2 * i + 1]!]);
      points.set(node.id, { x: x!, y: y! });
    });
    onHostPoints(points);
  }, [positions, viewState, size, graph, onHostPoints]);

  const layers = useMemo(() => {
    if (!positions) return [];
    const maxBytes = graph.nodes.reduce((m, n) => Math.max(m, n.bytes), 1);
    const maxWeight = links.reduce((m, l) => Math.max(m, l.edge[weight]), 1);
    const at = (i: number): [number, number] => [positions[2 * i]!, positions[2 * i + 1]!];
    return [
      new LineLayer<(typeof links)[number]>({
        id: 'edges',
        data: links,
        getSourcePosition: (l) => at(l.s),
        getTargetPosition: (l) => at(l.t),
        getWidth: (l) => 0.5 + 5 * Math.sqrt(l.edge[weight] / maxWeight),
        getColor: [159, 176, 195, 110],
        widthUnits: 'pixels',
        pickable: links.length <= PICKABLE_EDGES,
        updateTriggers: { getWidth: weight },
      }),
      new ScatterplotLayer<{ node: GraphNode; i: number }>({
        id: 'nodes',
        data: graph.nodes.map((node, i) => ({ node, i })),
        getPosition: (d) => at(d.i),
        getRadius: (d) => 3 + 12 * Math.sqrt(d.node.bytes / maxBytes),
        radiusUnits: 'pixels',
        stroked: true,
        filled: true,
        getFillColor: (d) =>
          d.node.kind === 'external' ? [...KIND_COLOR.external, 40] : [...KIND_COLOR[d.node.kind], 230],
        getLineColor: (d) =>
          d.node.kind === 'host' ? [255, 255, 255, 255] : [...KIND_COLOR[d.node.kind], 255],
        getLineWidth: (d) => (d.node.kind === 'internal' ? 0 : 2),
        lineWidthUnits: 'pixels',
        pickable: true,
      }),
    ];
  }, [positions, graph, links, weight]);

  return (
    <div ref={box} className="absolute inset-0">
      {positions ? (
        <DeckGL
          views={VIEW}
          viewState={viewState}
          onViewStateChange={({ viewState: next }) => setViewState(next as ViewState)}
          controller
          layers={layers}
          getCursor={({ isHovering }) => (isHovering ? 'pointer' : 'grab')}
          getTooltip={tooltip}
          onClick={(info: PickingInfo) => {
            const object = info.object as { node?: GraphNode } | undefined;
            if (object?.node?.kind === 'host') {
              navigate(`/alerts?host=${encodeURIComponent(object.node.hostName ?? object.node.label)}`);
            }
          }}
        />
      ) : null}
    </div>
  );
}

function tooltip(info: PickingInfo): { text: string } | null {
  const object = info.object as { node?: GraphNode; edge?: GraphEdge } | undefined;
  if (object?.node) {
    const n = object.node;
    return {
      text: [
        `${n.label} (${n.kind})`,
        n.ips.length ? `IPs: ${n.ips.join(', ')}` : null,
        `Bytes: ${formatBytes(n.bytes)}`,
        `Connections: ${NUMBER.format(n.connections)}`,
        n.kind === 'host' ? `Open alerts: ${n.openAlerts}` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }
  if (object?.edge) {
    const e = object.edge;
    return {
      text: [
        `${e.source.replace(/^(host|ip):/, '')} → ${e.target.replace(/^(host|ip):/, '')}`,
        `Bytes: ${formatBytes(e.bytes)} · connections: ${NUMBER.format(e.count)}`,
        e.protocols.length ? `Protocols: ${e.protocols.join(', ')}` : null,
        e.ports.length ? `Ports: ${e.ports.join(', ')}` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }
  return null;
}
