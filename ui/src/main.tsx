// Entry point: theme, render, then load app info, devices, virtual devices
// and recent databases concurrently and subscribe to backend events.
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { guardWindowClose, listenToBackend } from "./backend";
import { startPersisting } from "./editing/persist";
import { startTheme } from "./lib/theme";
import { startWatching } from "./state/watch";
import { loadAppInfo, refreshDevices, refreshRecent } from "./state/app";
import { refreshVirtualDevices } from "./state/virtualDevices";
import "./styles.css";

startTheme();
startPersisting();
startWatching();
guardWindowClose();

// StrictMode runs effects twice in development: start once.
let started = false;

function Root() {
  const [dropping, setDropping] = useState(false);
  useEffect(() => {
    if (started) return;
    started = true;
    void listenToBackend(setDropping);
    void loadAppInfo();
    void refreshDevices();
    void refreshVirtualDevices();
    void refreshRecent();
  }, []);
  return <App dropping={dropping} />;
}

const el = document.getElementById("root");
if (el) createRoot(el).render(<StrictMode><Root /></StrictMode>);
