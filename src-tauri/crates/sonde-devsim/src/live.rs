//! The demo feels alive: while the device is served with `--live`, its chat
//! app receives a message every interval, written the way the app would
//! (one transaction in WAL mode), so a watch shows changes within seconds.

use std::path::Path;
use std::time::Duration;

use crate::demo;

/// Starts the chat writer on the runtime; it ends with the process.
pub fn spawn_chat(root: &Path, every: Duration) {
    let db = root.join("fs").join(demo::CHAT_DB);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let path = db.clone();
            match tokio::task::spawn_blocking(move || demo::append_messages(&path, 1, 0)).await {
                Ok(Ok(_)) => {}
                // The app was uninstalled or its database removed by a test: stop quietly.
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "demo chat stopped writing");
                    return;
                }
                Err(_) => return,
            }
        }
    });
}
