// Every keyboard shortcut on one sheet (F1, or the ? button), written the
// way this platform writes them (Ctrl on Linux and Windows, ⌘ on macOS).
import { keyLabel } from "../lib/platform";
import { Dialog } from "./Dialog";

export const SHORTCUTS: [string, [string, string][]][] = [
  [
    "Everywhere",
    [
      ["Mod+S", "Save the unsaved edits (every table of the database)"],
      ["Mod+Shift+P", "Push the database to the device"],
      ["F5", "Refresh the database (a fresh pull from the device)"],
      ["Mod+B", "Show or hide the sidebar"],
      ["Mod+I", "Show or hide the inspector"],
      ["F1", "This sheet"],
    ],
  ],
  [
    "Grid",
    [
      ["Enter / F2", "Edit the cell (or start typing)"],
      ["Mod+Z / Mod+Shift+Z", "Undo / redo an unsaved edit"],
      ["Mod+C / Mod+V", "Copy / paste cells (tab-separated)"],
      ["Delete", "Delete the selected rows"],
      ["Mod+F", "Filter"],
      ["Mod+G", "Go to row"],
      ["Shift+click a header", "Add a sort term"],
      ["Double-click a header edge", "Fit the column to its content"],
    ],
  ],
  [
    "Cell editor",
    [
      ["Enter / Tab", "Keep the value, move down / right"],
      ["Shift+Enter", "New line"],
      ["Mod+Enter", "Keep the value, stay"],
      ["Escape", "Cancel"],
    ],
  ],
  [
    "SQL console",
    [
      ["Mod+Enter", "Run the statement at the cursor, or the selection"],
      ["Mod+Shift+Enter", "Run everything"],
    ],
  ],
];

export function ShortcutsSheet({ onClose }: { onClose(): void }) {
  return (
    <Dialog title="Keyboard shortcuts" testId="shortcuts-sheet" onClose={onClose} wide>
      <div className="shortcuts">
        {SHORTCUTS.map(([group, keys]) => (
          <section key={group}>
            <h3>{group}</h3>
            <dl>
              {keys.map(([k, what]) => (
                <div key={k} className="shortcut">
                  <dt>
                    <kbd>{keyLabel(k)}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
