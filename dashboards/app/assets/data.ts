// The asset inventory's API: GET /api/assets (hosts from the fleet's agents, OT devices seen in the
// OT transactions), its filters kept in the URL query.
import { must, type Api } from '../api/client.js';
import type { paths } from '../api/schema.js';

export const KINDS = ['host', 'ot_device'] as const;
export type AssetKind = (typeof KINDS)[number];

export type AssetPage = paths['/api/assets']['get']['responses'][200]['content']['application/json'];
export type Asset = AssetPage['items'][number];

export interface AssetFilters {
  q: string;
  kind: AssetKind | '';
  cursor: string;
}

export function readAssetFilters(query: URLSearchParams): AssetFilters {
  const kind = query.get('kind') ?? '';
  return {
    q: query.get('q') ?? '',
    kind: (KINDS as readonly string[]).includes(kind) ? (kind as AssetKind) : '',
    cursor: query.get('cursor') ?? '',
  };
}

export function writeAssetFilters(filters: AssetFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  if (filters.kind) query.set('kind', filters.kind);
  if (filters.cursor) query.set('cursor', filters.cursor);
  return query;
}

/** One page of assets. */
export function fetchAssets(api: Api, filters: AssetFilters, limit: number): Promise<AssetPage> {
  return must(
    api.GET('/api/assets', {
      params: {
        query: {
          limit,
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.kind ? { kind: filters.kind } : {}),
          ...(filters.cursor ? { cursor: filters.cursor } : {}),
        },
      },
    }),
  );
}
