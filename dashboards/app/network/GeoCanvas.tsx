// The geo view's WebGL map (deck.gl, loaded with the view only): country boundaries as a GeoJsonLayer in a
// Web Mercator MapView without a basemap, one circle per country at its centroid sized by bytes.
import { MapView, type MapViewState, type PickingInfo } from '@deck.gl/core';
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import DeckGL from '@deck.gl/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatBytes, NUMBER } from './data.js';
import { CENTROIDS, COUNTRIES } from './geo.js';
import type { CountryPeers } from './GeoView.js';

interface Placed {
  country: CountryPeers;
  position: [number, number];
}

export default function GeoCanvas({ countries }: { countries: CountryPeers[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [viewState, setViewState] = useState<MapViewState | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const placed = useMemo(
    () =>
      countries.flatMap((country): Placed[] => {
        const position = CENTROIDS.get(country.numeric);
        return position ? [{ country, position }] : [];
      }),
    [countries],
  );

  const layers = useMemo(() => {
    const maxBytes = placed.reduce((max, p) => Math.max(max, p.country.bytes), 1);
    return [
      new GeoJsonLayer({
        id: 'countries',
        data: COUNTRIES,
        stroked: true,
        filled: true,
        getFillColor: [26, 34, 48, 255],
        getLineColor: [95, 112, 133, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 1,
      }),
      new ScatterplotLayer<Placed>({
        id: 'peers',
        data: placed,
        getPosition: (p) => p.position,
        getRadius: (p) => 4 + 22 * Math.sqrt(p.country.bytes / maxBytes),
        radiusUnits: 'pixels',
        getFillColor: [255, 159, 67, 170],
        getLineColor: [255, 255, 255, 230],
        stroked: true,
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        pickable: true,
      }),
    ];
  }, [placed]);

  const initial: MapViewState = {
    longitude: 10,
    latitude: 25,
    zoom: Math.max(0, Math.log2(width / 512)),
    pitch: 0,
    bearing: 0,
    minZoom: 0,
    maxZoom: 6,
  };

  return (
    <div ref={box} className="absolute inset-0">
      <DeckGL
        views={new MapView({ id: 'world', repeat: false })}
        viewState={viewState ?? initial}
        onViewStateChange={({ viewState: next }) => setViewState(next)}
        controller
        layers={layers}
        getTooltip={(info: PickingInfo) => {
          const placedObject = info.object as Placed | undefined;
          if (!placedObject) return null;
          const c = placedObject.country;
          return {
            text: [
              `${c.name}${c.code ? ` (${c.code})` : ''}`,
              `Peers: ${NUMBER.format(c.peers)}`,
              `Bytes: ${formatBytes(c.bytes)}`,
              `Hosts: ${c.hosts.join(', ') || '—'}`,
            ].join('\n'),
          };
        }}
      />
    </div>
  );
}
