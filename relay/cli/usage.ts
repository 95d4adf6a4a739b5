import { providerCatalog } from '../providers/catalog.js';

/** The help texts. `switchboard help COMMAND` and `COMMAND --help` print the same text. */

const CONFIG_DIR_OPTION = `  --config-dir D   The config directory (default: $SWITCHBOARD_CONFIG_DIR, else
                   ~/.config/switchboard on Linux, ~/Library/Application Support/Switchboard
                   on macOS, %APPDATA%\\Switchboard on Windows)
  -h, --help       Show this help`;

export const MAIN_USAGE = `Usage: switchboard <command> [options]

A local LLM relay: one OpenAI-compatible endpoint in front of many providers.

Commands:
  serve [--port N] [--host H]          Run the relay in the foreground
  start                                Same as serve (the desktop app is not part of this build)
  demo [--port N]                      Run the relay with three simulated providers, no key needed
  status                               Whether the relay is running, and its providers
  models                               The model ids the relay can serve
  keys add PROVIDER [KEY]              Store a provider key (read from stdin when KEY is left out)
  keys list [PROVIDER]                 List keys, masked
  keys remove PROVIDER ID_OR_LABEL     Remove a stored key
  endpoints add NAME BASE_URL          Add an OpenAI-compatible endpoint
  endpoints list                       List custom endpoints
  endpoints remove NAME                Remove a custom endpoint and its keys
  token set [TOKEN]                    Require a relay token from clients (generated when left out)
  token clear | token show             Remove the relay token, or say whether one is set
  config export [--include-keys]       Print the settings (and keys, encrypted) as one token
  config import [TOKEN|-] [--replace]  Import such a token (shows the changes, then asks)
  configure CLIENT [--yes] [--undo]    Point a coding agent at the relay (diff first, backup):
                                       opencode, openclaw, claude, codex, continue, aider
  run CLIENT [ARGS...]                 Start one of them against the relay, no file changed
  snippets [CLIENT] [--reveal]         Copy-paste setup for Cursor, Open WebUI, LangChain, SDKs, curl
  doctor                               Check the installation and say how to fix problems
  help [COMMAND]                       Show help for a command

Options for every command:
${CONFIG_DIR_OPTION}
  --version        Print the version

While a relay is running for the config directory, the commands go through its admin API so
changes apply at once; otherwise they read and write the config directory directly.`;

function providerIds(): string {
  const ids = providerCatalog.map((entry) => entry.id).join(', ');
  // Wrap at about 90 columns, indented.
  const lines: string[] = [];
  let line = '  ';
  for (const word of ids.split(' ')) {
    if (line.length + word.length > 92) {
      lines.push(line.trimEnd());
      line = '  ';
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

export const COMMAND_USAGE: Record<string, string> = {
  serve: `Usage: switchboard serve [--port N] [--host H] [--config-dir D]

Runs the relay in the foreground until Ctrl-C (SIGINT) or SIGTERM. Prints the base URL for
clients (http://127.0.0.1:4747/v1), where the admin API is and which file holds its token,
and which providers are ready or need a key.

Options:
  --port N         Port to listen on (default: server.port in config.json, 4747)
  --host H         Address to listen on (default: server.host, 127.0.0.1). Beyond loopback the
                   relay needs a relay token (SWITCHBOARD_TOKEN).
${CONFIG_DIR_OPTION}`,

  start: `Usage: switchboard start [--port N] [--host H] [--config-dir D]

Starts Switchboard. The desktop app is not part of this build, so this runs the relay headless,
exactly like \`switchboard serve\`.

Options:
  --port N         Port to listen on (default: server.port, 4747)
  --host H         Address to listen on (default: server.host, 127.0.0.1)
${CONFIG_DIR_OPTION}`,

  demo: `Usage: switchboard demo [--port N] [--config-dir D]

Runs the relay in the foreground like \`switchboard serve\`, with demo mode on: three SIMULATED
OpenAI-compatible providers on this machine (demo-fast, demo-slow, demo-flaky; models sim-small,
sim-medium, sim-large) so you can watch routing, failover and the QoS table without any key.
They are served for as long as the relay runs and are never written to config.json; your own
providers keep working beside them. Prints the base URL, the dashboard link and a curl example.

Options:
  --port N         Port to listen on (default: server.port in config.json, 4747)
${CONFIG_DIR_OPTION}`,

  status: `Usage: switchboard status [--config-dir D]

Says whether a relay is running for the config directory. If it is: its version, URL, uptime and
providers. If not: the config directory and the providers as the settings and keys stand.

Options:
${CONFIG_DIR_OPTION}`,

  models: `Usage: switchboard models [--config-dir D]

Lists the model ids the relay can serve: id, provider, context window and whether it is free.
Clients may ask for the id alone, for PROVIDER/ID to pin a provider, or for auto-fastest.
Without a running relay the list is computed from the config directory (catalog models only:
no live discovery, local servers not probed).

Options:
${CONFIG_DIR_OPTION}`,

  keys: `Usage: switchboard keys <add|list|remove> ...

  keys add PROVIDER [KEY] [--label L] [--models GLOB,...]
  keys list [PROVIDER]
  keys remove PROVIDER ID_OR_LABEL

Run \`switchboard keys add --help\` for details.

Options:
${CONFIG_DIR_OPTION}`,

  'keys add': `Usage: switchboard keys add PROVIDER [KEY] [--label L] [--models GLOB,...] [--config-dir D]

Stores an API key for a built-in provider or a custom endpoint. Keys live in the secret store
(secrets.json, mode 0600), never in config.json, and are only ever shown masked (…abcd).

Leave KEY out, or give -, to read the key from standard input so it does not land in your shell
history:
  switchboard keys add groq                      (paste the key, then Enter; it is not echoed)
  printf %s "$KEY" | switchboard keys add groq -

PROVIDER is one of:
${providerIds()}
or the name of a custom endpoint.

Options:
  --label L           A name for the key (default key-1, key-2, ...)
  --models GLOB,...   Model ids or glob patterns this key may serve (default: every model);
                      comma-separated, may be repeated
${CONFIG_DIR_OPTION}`,

  'keys list': `Usage: switchboard keys list [PROVIDER] [--config-dir D]

Lists stored keys and keys found in environment variables (GROQ_API_KEY, GROQ_API_KEY_2, ...),
masked to their last four characters. Environment keys are read-only.

Options:
${CONFIG_DIR_OPTION}`,

  'keys remove': `Usage: switchboard keys remove PROVIDER ID_OR_LABEL [--config-dir D]

Removes a stored key, named by its id or its label (see \`switchboard keys list\`). Keys from
environment variables cannot be removed here: unset the variable instead.

Options:
${CONFIG_DIR_OPTION}`,

  endpoints: `Usage: switchboard endpoints <add|list|remove> ...

  endpoints add NAME BASE_URL [--key KEY] [--header 'Name: value' ...] [--no-discovery] [--model ID ...] [--free]
  endpoints list
  endpoints remove NAME

Run \`switchboard endpoints add --help\` for details.

Options:
${CONFIG_DIR_OPTION}`,

  'endpoints add': `Usage: switchboard endpoints add NAME BASE_URL [--key KEY] [--header 'Name: value' ...]
                               [--no-discovery] [--model ID ...] [--free] [--config-dir D]

Adds an OpenAI-compatible endpoint (vLLM, llama.cpp, a hosted API, ...). NAME becomes its
provider id: lower-case letters, digits, ".", "_" and "-". BASE_URL is the URL that
/chat/completions and /models are appended to, e.g. http://127.0.0.1:8000/v1.

Options:
  --key KEY           Sent as Authorization: Bearer; stored as a secret. Give - to read it from
                      standard input (keeps it out of your shell history).
  --header 'N: v'     An extra header sent with every request; may be repeated. Credential
                      headers (Authorization, api-key, ...) are refused: use --key.
  --no-discovery      Do not ask the endpoint for its models (GET /models); list them with --model
  --model ID          A model id to serve; may be repeated
  --free              Calls cost nothing (counts as free for the free-first/free-only policy)
${CONFIG_DIR_OPTION}`,

  'endpoints list': `Usage: switchboard endpoints list [--config-dir D]

Lists custom endpoints: name, base URL, keys, discovery and listed models.

Options:
${CONFIG_DIR_OPTION}`,

  'endpoints remove': `Usage: switchboard endpoints remove NAME [--config-dir D]

Removes a custom endpoint and deletes its stored keys.

Options:
${CONFIG_DIR_OPTION}`,

  token: `Usage: switchboard token <set|clear|show> ...

  token set [TOKEN | -]   Require clients to send this token (Authorization: Bearer, x-api-key
                          or api-key). Without TOKEN a random one is generated and shown once;
                          - reads it from standard input.
  token clear             Remove it: clients on this machine need no token again.
  token show              Say whether a token is set (masked).

A token is optional while the relay listens on 127.0.0.1 and required to listen beyond it
(server.host). SWITCHBOARD_TOKEN in the environment overrides the stored token.

Options:
${CONFIG_DIR_OPTION}`,

  'token set': `Usage: switchboard token set [TOKEN | -] [--config-dir D]

Requires clients to send this token. Without TOKEN a random one is generated and shown once;
give - to read it from standard input. At least 16 characters, no spaces.

Options:
${CONFIG_DIR_OPTION}`,

  'token clear': `Usage: switchboard token clear [--config-dir D]

Removes the relay token: clients on this machine need none again.

Options:
${CONFIG_DIR_OPTION}`,

  'token show': `Usage: switchboard token show [--config-dir D]

Says whether a relay token is set, and where it comes from (masked).

Options:
${CONFIG_DIR_OPTION}`,

  config: `Usage: switchboard config <export|import> ...

  config export [--include-keys]                 Print the settings as one token on stdout
  config import [TOKEN | -] [--replace] [--yes]  Show what a token would change, then import it

Moves a setup to another machine:  switchboard config export > setup.txt  on one, and
switchboard config import < setup.txt  on the other (or pipe one into the other).

Options:
${CONFIG_DIR_OPTION}`,

  'config export': `Usage: switchboard config export [--include-keys] [--config-dir D]

Prints the settings as one token (sbcfg1.plain.…) on standard output: providers, custom
endpoints, routing, timeouts and the Claude model map. Not included: the server section (host,
port, allowed hosts and origins belong to each machine), keys from environment variables, the
relay token and the admin token.

With --include-keys the stored provider keys go in too, and the token (sbcfg1.sealed.…) is
encrypted with a passphrase of at least 8 characters (scrypt and AES-256-GCM). The passphrase is
read from standard input: typed twice without echo on a terminal, or piped. It is not stored
anywhere; without it the keys cannot be imported. Treat even a sealed token as private.

Options:
  --include-keys   Also export the stored keys, encrypted with a passphrase
${CONFIG_DIR_OPTION}`,

  'config import': `Usage: switchboard config import [TOKEN | -] [--replace] [--yes] [--config-dir D]

Reads a token made by \`switchboard config export\` (from standard input when TOKEN is left out
or -), checks it and shows what would change: base URLs added or changed (check these: the keys
shown are sent there), providers switched on or off, endpoints, routing, keys to add (masked)
and keys skipped as already stored. Then asks before changing anything. A sealed token asks for
its passphrase on the terminal (or reads it from standard input when TOKEN is given).

  switchboard config export | switchboard config import

By default the import merges: what the token names is added or updated, nothing is removed.
With --replace the settings become the token's (the server section stays); custom endpoints the
token lacks are removed with their keys, and stored keys of built-in providers are kept.

Options:
  --replace        Replace the settings instead of merging
  -y, --yes        Apply without asking (needed when there is no terminal)
${CONFIG_DIR_OPTION}`,

  doctor: `Usage: switchboard doctor [--config-dir D]

Checks the installation and prints each check with ✓ or ✗ and how to fix it: Node version,
config directory and file permissions, settings, provider keys, the configured port, the relay
token, local servers (Ollama, LM Studio) and keys found in the environment. Exits 1 when a
check fails. Reads only; changes nothing.

Options:
${CONFIG_DIR_OPTION}`,

  configure: `Usage: switchboard configure <CLIENT> [--yes] [--set-default] [--port N] [--config-dir D]
       switchboard configure <CLIENT> --undo [--yes] [--config-dir D]

CLIENT is opencode, openclaw, claude, codex, continue or aider.

Adds Switchboard as a provider to the client's own config file, keeping your comments and
other settings: OpenCode gets provider.switchboard in ~/.config/opencode/opencode.json (or
opencode.jsonc, or $OPENCODE_CONFIG); OpenClaw gets models.providers.switchboard in
~/.openclaw/openclaw.json (or $OPENCLAW_CONFIG_PATH); Claude Code gets ANTHROPIC_BASE_URL and
ANTHROPIC_AUTH_TOKEN in the env block of ~/.claude/settings.json ($CLAUDE_CONFIG_DIR); Codex gets
[model_providers.switchboard] in ~/.codex/config.toml ($CODEX_HOME) and reads the token from
SWITCHBOARD_API_KEY; Continue gets a "Switchboard" model in ~/.continue/config.yaml; Aider gets
openai-api-base and openai-api-key in ~/.aider.conf.yml. The entry lists the relay's base URL
(from the running relay, else the configured port), the relay token as its API key (a
placeholder when none is set; never a provider key) and the model ids the relay serves:
auto-fastest, the aliases and every model group, with context windows where known.

It prints the change as a diff first and asks before writing (on a terminal); without a
terminal it writes only with --yes. The original is saved once as <file>.switchboard-backup
(mode 0600) and the file is written atomically with mode 0600. A symbolic link is refused.
Running it again changes nothing unless something drifted.

Options:
  -y, --yes        Write without asking
  --set-default    Also make auto-fastest the client's default model (Claude Code: the
                   ANTHROPIC_*MODEL variables; Continue: our model first; Aider: openai/auto-fastest)
  --port N         Point at this port instead of the running relay's or server.port
  --undo           Put the file back exactly as it was before Switchboard first changed it
                   (or delete it if Switchboard created it), then remove the backup
${CONFIG_DIR_OPTION}`,

  run: `Usage: switchboard run <CLIENT> [--port N] [--config-dir D] [ARGS...]

Starts the client with Switchboard as its provider and switchboard/auto-fastest as its model,
through environment variables only: no config file of yours is changed. Everything after the
client's name is passed to it unchanged, e.g.
  switchboard run opencode run "say hi" -m switchboard/coding
OpenCode gets OPENCODE_CONFIG_CONTENT; OpenClaw gets OPENCLAW_CONFIG_PATH pointing at a private
temporary copy of your config plus the Switchboard entry, deleted when it exits. Claude Code
(claude) gets ANTHROPIC_BASE_URL / ANTHROPIC_AUTH_TOKEN / ANTHROPIC_MODEL; Codex gets -c
overrides before your arguments and the token in SWITCHBOARD_API_KEY; Continue's cn gets
--config with a temporary copy of config.yaml; Aider gets AIDER_OPENAI_API_BASE / _KEY /
AIDER_MODEL. Exits with the client's exit code.

Options (before the client's name):
  --port N         Point at this port instead of the running relay's or server.port
${CONFIG_DIR_OPTION}`,

  snippets: `Usage: switchboard snippets [CLIENT] [--reveal] [--port N] [--config-dir D]

Prints ready-to-paste setup, for the relay's current base URL, token and model ids, for clients
Switchboard does not configure itself: cursor, open-webui, langchain (python, js), openai-sdk
(python, js), anthropic-sdk (python, js) and curl (openai, anthropic, ollama); name one (or a
variant such as langchain-js) to print only that. OpenAI-style clients get <origin>/v1,
Anthropic clients the origin without /v1, Ollama clients the origin. The relay token is masked
unless --reveal is given; provider keys never appear.

Options:
  --reveal         Show the relay token in full
  --port N         Point at this port instead of the running relay's or server.port
${CONFIG_DIR_OPTION}`,

  help: `Usage: switchboard help [COMMAND]

Shows help for a command, e.g. \`switchboard help keys add\`.`,
};
