import { aider } from './aider.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { continueDev } from './continue.js';
import { createIntegration, type Integration } from './integration.js';
import { openClaw } from './openclaw.js';
import { openCode } from './opencode.js';

/** Every client Switchboard can configure, one line each, in the order the UI lists them. */
export const INTEGRATIONS: readonly Integration[] = [
  createIntegration(openCode),
  createIntegration(openClaw),
  createIntegration(claudeCode),
  createIntegration(codex),
  createIntegration(continueDev),
  createIntegration(aider),
];

export function integrationById(id: string): Integration | undefined {
  const wanted = id.trim().toLowerCase();
  return INTEGRATIONS.find((integration) => integration.id === wanted);
}

export function integrationIds(): string[] {
  return INTEGRATIONS.map((integration) => integration.id);
}
