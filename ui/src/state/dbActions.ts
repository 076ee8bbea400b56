// What can be done to an open database as a whole, with the questions the
// user must answer first when something would be lost: close it, refresh
// it, discard its changes and pull a fresh copy, close the window.
import { api } from "../api";
import type { PendingChange } from "../bindings/PendingChange";
import { forgetStored } from "../editing/persist";
import { discardUnsaved, forgetEdits, lossOf, unsavedCount, editsOf, editsStore } from "../editing/store";
import { toCommandError } from "../errors";
import { listWords, plural } from "../lib/format";
import { appStore, closeDatabase, replaceDb, showError } from "./app";
import { ask } from "./confirm";
import { forgetSchemas } from "./schemas";
import { refreshConflicts, refreshVersions } from "./watch";

type Loss = ReturnType<typeof lossOf>;

const were = (n: number) => (n === 1 ? "was" : "were");

/** "1 unsaved edit in notes and 2 saved changes in notes, messages that were not pushed to the device". */
export function describeLoss(loss: Loss, changes?: PendingChange[]): string[] {
  const parts: string[] = [];
  const unsaved = loss.unsaved.reduce((n, [, c]) => n + c, 0);
  if (unsaved) parts.push(`${plural(unsaved, "unsaved edit")} in ${listWords(loss.unsaved.map(([t]) => t))}`);
  if (loss.pending) {
    const tables = changes ? [...new Set(changes.map((c) => c.change.table))] : [];
    parts.push(`${plural(loss.pending, "saved change")}${tables.length ? ` in ${listWords(tables)}` : ""} that ${were(loss.pending)} not pushed to the device`);
  }
  if (loss.sqlWrites) parts.push(`${plural(loss.sqlWrites, "write")} from the SQL console that ${were(loss.sqlWrites)} not pushed`);
  return parts;
}

const hasLoss = (l: Loss) => l.unsaved.length > 0 || l.pending > 0 || l.sqlWrites > 0;
const labelOf = (handle: number) => appStore.get().open.find((o) => o.handle === handle)?.label ?? "this database";
const locationOf = (handle: number) => appStore.get().open.find((o) => o.handle === handle)?.location;

function forgetLocal(handle: number): void {
  const location = locationOf(handle);
  forgetEdits(handle);
  if (location) forgetStored(location);
  forgetSchemas(handle);
}

/** The × of a database in the sidebar. */
export async function closeWithCare(handle: number): Promise<void> {
  const loss = lossOf(handle);
  if (hasLoss(loss)) {
    const yes = await ask({
      title: `Close ${labelOf(handle)}?`,
      body: [`Closing it loses ${listWords(describeLoss(loss))}.`],
      confirmLabel: "Close and lose them",
      danger: true,
    });
    if (!yes) return;
  }
  forgetLocal(handle);
  await closeDatabase(handle);
}

/** Drops every unpushed change and pulls a fresh copy from the device, once confirmed. */
export async function discardAndPull(handle: number, why?: string): Promise<boolean> {
  const loss = lossOf(handle);
  const changes = await api.pendingChanges(handle).catch(() => undefined);
  const lost = describeLoss(loss, changes);
  const yes = await ask({
    title: "Discard your changes and pull a fresh copy?",
    body: [
      ...(why ? [why] : []),
      lost.length ? `This loses ${listWords(lost)}.` : "Nothing of yours is lost: there are no changes.",
      "Sonde then pulls the database from the device again, as the app on the device left it.",
    ],
    confirmLabel: "Discard and pull fresh",
    danger: lost.length > 0,
  });
  if (!yes) return false;
  try {
    const db = await api.discardEdits(handle);
    forgetLocal(handle);
    replaceDb(db);
    // A fresh pull is a new version; the conflicts went with the changes.
    void refreshVersions(handle);
    void refreshConflicts(handle);
    return true;
  } catch (e) {
    showError(e, "Discarding the changes");
    return false;
  }
}

/** The Refresh button: reads the database again (a fresh pull for a device snapshot). */
export async function refreshWithCare(handle: number): Promise<void> {
  const unsaved = unsavedCount(editsOf(editsStore.get(), handle));
  if (unsaved) {
    const yes = await ask({
      title: "Refresh and drop the unsaved edits?",
      body: [`Refreshing reads the database again and drops ${plural(unsaved, "unsaved edit")}. Save them first to keep them.`],
      confirmLabel: "Drop them and refresh",
      danger: true,
    });
    if (!yes) return;
    discardUnsaved(handle);
  }
  try {
    const db = await api.refreshDatabase(handle);
    forgetSchemas(handle);
    replaceDb(db);
    void refreshVersions(handle);
  } catch (e) {
    const err = toCommandError(e);
    if (err.kind === "unpushed_edits") await discardAndPull(handle, err.message);
    else showError(err, `Refreshing ${labelOf(handle)}`);
  }
}

/** Everything closing the window would lose, per database. */
export function lossEverywhere(): { label: string; parts: string[] }[] {
  return appStore
    .get()
    .open.map((db) => ({ label: db.label, parts: describeLoss(lossOf(db.handle)) }))
    .filter((l) => l.parts.length > 0);
}

/** The window's close button while the close guard is on. */
export async function closeWindowWithCare(): Promise<void> {
  const losses = lossEverywhere();
  if (losses.length) {
    const yes = await ask({
      title: "Close Sonde?",
      body: [...losses.map((l) => `${l.label}: ${listWords(l.parts)}.`), "Closing now loses them."],
      confirmLabel: "Close and lose them",
      danger: true,
    });
    if (!yes) return;
    for (const db of appStore.get().open) forgetLocal(db.handle);
  }
  await api.closeWindow();
}
