// A --jobs worker thread: registers tsx (the sources are TypeScript), then runs worker-main.ts.
import { register } from 'tsx/esm/api';
register();
await import('./worker-main.ts');
