// World boundaries from world-atlas (Natural Earth 1:110m, TopoJSON bundled by Vite: nothing is fetched at
// run time) and a point per country to place its peers: the centroid of the country's largest polygon.
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';

export type Country = Feature<Geometry, { name: string }>;

const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;

/**
 * A ring without jumps across the antimeridian (a point past ±180° continues the ring instead of crossing
 * the whole map) and without the poles (Mercator cannot show them).
 */
function unwrap(ring: Position[]): Position[] {
  let offset = 0;
  let previous: number | undefined;
  return ring.map(([lon = 0, lat = 0]) => {
    if (previous !== undefined) {
      if (lon + offset - previous > 180) offset -= 360;
      else if (lon + offset - previous < -180) offset += 360;
    }
    previous = lon + offset;
    return [lon + offset, Math.max(-85, Math.min(85, lat))];
  });
}

function unwrapGeometry(geometry: Geometry): Geometry {
  if (geometry.type === 'Polygon') return { ...geometry, coordinates: geometry.coordinates.map(unwrap) };
  if (geometry.type === 'MultiPolygon') {
    return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrap)) };
  }
  return geometry;
}

const raw = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;

export const COUNTRIES: FeatureCollection<Geometry, { name: string }> = {
  ...raw,
  // Antarctica (010) would fill the bottom of a Mercator map; no peer is located there.
  features: raw.features
    .filter((country) => String(country.id) !== '010')
    .map((country) => ({ ...country, geometry: unwrapGeometry(country.geometry) })),
};

/** Signed area and centroid of a ring (planar, in lon/lat). */
function ring(points: Position[]): { area: number; x: number; y: number } {
  let area = 0;
  let x = 0;
  let y = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [x0, y0] = points[j] as [number, number];
    const [x1, y1] = points[i] as [number, number];
    const cross = x0 * y1 - x1 * y0;
    area += cross;
    x += (x0 + x1) * cross;
    y += (y0 + y1) * cross;
  }
  area /= 2;
  return area === 0
    ? { area: 0, x: points[0]?.[0] ?? 0, y: points[0]?.[1] ?? 0 }
    : { area, x: x / (6 * area), y: y / (6 * area) };
}

function centroid(geometry: Geometry): [number, number] | null {
  const polygons =
    geometry.type === 'Polygon'
      ? [geometry.coordinates]
      : geometry.type === 'MultiPolygon'
        ? geometry.coordinates
        : [];
  let best: { area: number; x: number; y: number } | null = null;
  for (const polygon of polygons) {
    const outer = polygon[0];
    if (!outer) continue;
    const r = ring(outer);
    if (!best || Math.abs(r.area) > Math.abs(best.area)) best = r;
  }
  return best ? [best.x, best.y] : null;
}

/** Centroids by ISO 3166-1 numeric id (world-atlas ids are 3-digit strings). */
export const CENTROIDS: Map<string, [number, number]> = new Map(
  COUNTRIES.features.flatMap((country) => {
    const point = country.id === undefined ? null : centroid(country.geometry);
    return point ? [[String(country.id).padStart(3, '0'), point] as [string, [number, number]]] : [];
  }),
);
