import express, { type Router } from 'express';
import type { ConfigSource } from '../config/config-store.js';
import type { RelayService } from '../core/relay-service.js';
import type { ProviderDirectory } from '../dispatch/provider-directory.js';
import type { UsageLog } from '../dispatch/usage-log.js';
import type { KeyPool } from '../keys/key-pool.js';
import type { SecretStore } from '../keys/secret-store.js';
import { adminAuth } from './auth.js';

export interface AdminDependencies {
  adminToken: () => string;
  configSource: ConfigSource;
  secretStore: SecretStore;
  directory: ProviderDirectory;
  keyPool: KeyPool;
  usageLog: UsageLog;
  service: RelayService;
  now: () => number;
}

export function createAdminRouter(deps: AdminDependencies): Router {
  const router = express.Router();
  router.use(adminAuth(deps.adminToken));
  router.get('/status', (_request, response) => {
    response.json({ ok: true, problem: deps.configSource.problem ?? null });
  });
  return router;
}
