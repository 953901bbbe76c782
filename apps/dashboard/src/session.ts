/** The key lives in this tab's session storage only: gone when the tab closes, never in a URL or a cookie. */
const KEY = 'clicks.dashboard.key';

export const session = {
  load: (): string | null => sessionStorage.getItem(KEY),
  save: (key: string): void => sessionStorage.setItem(KEY, key),
  clear: (): void => sessionStorage.removeItem(KEY),
};
