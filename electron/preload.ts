// The dashboard window's preload, deliberately empty.
//
// The dashboard is the relay's own page (the same one a browser gets at http://127.0.0.1:<port>/)
// and talks to the relay over HTTP only, authenticated by the HttpOnly admin cookie the main
// process sets before loading it. What only the desktop can do (start at login, native
// notifications, safeStorage) is injected into the relay as DesktopCapabilities and reaches the
// page through the admin API, so there is nothing for this file to bridge and no IPC handler to
// guard (STYLE.md rule 7, Electron security checklist #20).
//
// It exists so every window is created with an explicit, sandboxed preload path: if a desktop-only
// function is ever needed, expose it here with contextBridge.exposeInMainWorld under a
// `relay-desktop:*` channel from electron/ipc-channels.ts, never ipcRenderer itself, and validate
// the sender frame's URL against the relay origin in the ipcMain handler. A sandboxed preload
// cannot require local files, so that change must also bundle this file into one CommonJS script.
//
// No import or export: compiled, this stays a plain script, which a sandboxed preload must be.
