import { createRoot } from 'react-dom/client';
import { ApiClient } from './api-client.js';
import { App } from './app.js';
import { connectHost } from './teams-host.js';

const root = createRoot(document.getElementById('root') as HTMLElement);
connectHost(window.location.search).then(
  (session) => root.render(<App session={session} api={new ApiClient(() => session.getToken())} />),
  (e: Error) => root.render(<p role="alert">Presence Sync could not start: {e.message}</p>),
);
