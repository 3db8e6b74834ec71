// Times for people: relative ("5 min ago") with the absolute time beside it.

export function relativeTime(iso: string, now: number): string {
  const delta = new Date(iso).getTime() - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  if (seconds < 10) return 'just now';
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 86_400
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86_400)} d`;
  return delta < 0 ? `${amount} ago` : `in ${amount}`;
}

export function absoluteTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
