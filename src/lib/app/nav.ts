// The site's pages. Only pages that exist are shown as links; the rest are listed here so the
// navigation grows in one place as they land.

export interface NavPage {
  label: string;
  /** route path (without the base path) */
  path: string;
  ready: boolean;
}

export const NAV_PAGES: NavPage[] = [
  { label: 'Home', path: '/', ready: true },
  { label: 'Overview', path: '/overview', ready: true },
  { label: 'Privatize', path: '/privatize', ready: true },
  { label: 'Train', path: '/train', ready: true },
  { label: 'Attack', path: '/attack', ready: true },
  { label: 'Frontier', path: '/frontier', ready: true },
  { label: 'Models/Data', path: '/models', ready: true },
  { label: 'What the service saw', path: '/service-log', ready: true }
];
