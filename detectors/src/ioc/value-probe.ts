// Parsing an observed value once for any number of IocSets: an IP to its binary form, a domain or URL
// host to its normalised name (or to an IP when it is one), a hash to its packed key. Reused across
// lookups, so a miss allocates nothing beyond what normalisation needs.
import { extractUrlHost, normaliseDomain } from './domain-name.js';
import { packHash } from './file-hash.js';
import { IpProbe } from './ip-address.js';
import type { LookupKind } from './ioc-types.js';

/** What a parsed value is: nothing usable, an IPv4 or IPv6 address, a domain, or a hash key. */
export type ProbeForm = 'none' | 'v4' | 'v6' | 'domain' | 'hash';

/** A reusable parser of looked-up values; read the field named by `form` after {@link ValueProbe.parse}. */
export class ValueProbe {
  form: ProbeForm = 'none';
  /** For `ip` lookups, whether exact IP indicators are probed (false for `cidr` lookups). */
  exact = true;
  domain = '';
  hashKey = '';
  private readonly ip = new IpProbe();

  /** The IPv4 address (unsigned) when `form` is `v4`. */
  get v4(): number {
    return this.ip.v4;
  }

  /** The IPv6 groups when `form` is `v6`. */
  get v6(): Uint16Array {
    return this.ip.v6;
  }

  /** Parses `value` as a `kind` value; returns the form found. */
  parse(kind: LookupKind, value: string): ProbeForm {
    this.exact = kind !== 'cidr';
    switch (kind) {
      case 'ip':
      case 'cidr':
        return (this.form = this.ipForm(value));
      case 'domain':
        return (this.form = this.hostForm(value));
      case 'url': {
        const host = extractUrlHost(value);
        return (this.form = host === undefined ? 'none' : this.hostForm(host));
      }
      case 'hash': {
        const key = packHash(value);
        if (key === undefined) return (this.form = 'none');
        this.hashKey = key;
        return (this.form = 'hash');
      }
    }
  }

  private ipForm(text: string): ProbeForm {
    const version = this.ip.parse(text);
    return version === 4 ? 'v4' : version === 6 ? 'v6' : 'none';
  }

  /** A host name, which may be an IP literal (`10.0.0.1`, `[::1]`). */
  private hostForm(host: string): ProbeForm {
    const first = host.charCodeAt(0);
    if ((first >= 48 && first <= 57) || first === 91 || host.includes(':')) {
      const form = this.ipForm(host);
      if (form !== 'none') return form;
    }
    const domain = normaliseDomain(host);
    if (domain === undefined) return 'none';
    this.domain = domain;
    return 'domain';
  }
}
