//! The shop app: foreign keys, CHECK constraints, AUTOINCREMENT, in WAL
//! mode with rows that exist only in the `-wal` (what a pull that copies
//! only the main file loses).

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{params, Connection};

use super::DemoError;

/// Usernames of the `users` rows that exist only in `shop.db-wal`.
pub const WAL_ONLY_USERNAMES: &[&str] = &["wal_only_alice", "wal_only_bob"];
/// `shipping_address` of the `orders` row (id 101) that exists only in the WAL.
pub const WAL_ONLY_ORDER_ADDRESS: &str = "1 Write-Ahead Lane, Uncheckpointed City";

const SCHEMA: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    is_active BOOLEAN DEFAULT 1
);
CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    price DECIMAL(10,2) NOT NULL,
    category_id INTEGER,
    stock_quantity INTEGER DEFAULT 0,
    description TEXT,
    sku TEXT UNIQUE,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (category_id) REFERENCES categories(id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    total_amount DECIMAL(10,2) NOT NULL,
    status TEXT CHECK(status IN ('pending', 'processing', 'shipped', 'delivered', 'cancelled')) DEFAULT 'pending',
    shipping_address TEXT,
    order_date DATETIME DEFAULT CURRENT_TIMESTAMP,
    shipped_date DATETIME,
    FOREIGN KEY (user_id) REFERENCES users(id)
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price DECIMAL(10,2) NOT NULL,
    total_price DECIMAL(10,2) NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders(id),
    FOREIGN KEY (product_id) REFERENCES products(id)
);
CREATE TABLE user_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    session_token TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    user_agent TEXT,
    ip_address TEXT,
    FOREIGN KEY (user_id) REFERENCES users(id)
);
CREATE INDEX idx_orders_user ON orders(user_id);
CREATE INDEX idx_items_order ON order_items(order_id);
";

const DATA: &str = "
INSERT INTO users (id, username, email, first_name, last_name, created_at, updated_at, is_active) VALUES
 (1, 'jdoe', 'john.doe@example.com', 'John', 'Doe', '2024-01-03 10:00:00', '2024-01-03 10:00:00', 1),
 (2, 'asmith', 'anna.smith@example.com', 'Anna', 'Smith', '2024-01-04 11:30:00', '2024-01-09 08:12:00', 1),
 (3, 'mgarcia', 'maria.garcia@example.com', 'María', 'García', '2024-01-05 09:15:00', '2024-01-05 09:15:00', 1),
 (4, 'kchen', 'kai.chen@example.com', 'Kai', 'Chen', '2024-01-07 16:45:00', '2024-01-20 13:00:00', 0),
 (5, 'ooyelaran', 'ola@example.com', 'Ola', 'Oyelaran', '2024-01-10 07:05:00', '2024-01-10 07:05:00', 1);
INSERT INTO categories (id, name, description, created_at) VALUES
 (1, 'Electronics', 'Phones, cables and chargers', '2024-01-01 08:00:00'),
 (2, 'Books', 'Paper and e-books', '2024-01-01 08:00:00'),
 (3, 'Home', 'Kitchen and living', '2024-01-01 08:00:00'),
 (4, 'Outdoor', NULL, '2024-01-02 08:00:00');
INSERT INTO products (id, name, price, category_id, stock_quantity, description, sku, created_at, updated_at) VALUES
 (1, 'USB-C cable 2 m', 9.99, 1, 240, 'Braided, 60 W', 'EL-USBC-2M', '2024-01-02 09:00:00', '2024-01-02 09:00:00'),
 (2, 'Phone stand', 14.5, 1, 38, NULL, 'EL-STAND-01', '2024-01-02 09:00:00', '2024-01-02 09:00:00'),
 (3, 'SQLite Internals', 39.0, 2, 12, 'Hardcover, 2nd edition', 'BK-SQLITE-2', '2024-01-02 09:00:00', '2024-01-02 09:00:00'),
 (4, 'French press', 24.95, 3, 0, 'Glass, 1 l', 'HM-PRESS-1L', '2024-01-02 09:00:00', '2024-01-02 09:00:00'),
 (5, 'Tent (2 person)', 129.0, 4, 5, NULL, 'OD-TENT-2P', '2024-01-02 09:00:00', '2024-01-02 09:00:00'),
 (6, 'Head lamp', 19.99, 4, 61, '300 lumen', 'OD-LAMP-300', '2024-01-02 09:00:00', '2024-01-02 09:00:00');
INSERT INTO orders (id, user_id, total_amount, status, shipping_address, order_date, shipped_date) VALUES
 (1, 1, 34.49, 'delivered', '12 Main St, Springfield', '2024-01-12 12:00:00', '2024-01-13 09:00:00'),
 (2, 2, 39.0, 'shipped', '5 Rue de la Paix, Paris', '2024-01-15 18:20:00', '2024-01-16 10:30:00'),
 (3, 3, 148.99, 'processing', 'Calle Mayor 1, Madrid', '2024-01-21 08:45:00', NULL),
 (4, 1, 9.99, 'cancelled', '12 Main St, Springfield', '2024-01-25 21:10:00', NULL);
INSERT INTO order_items (order_id, product_id, quantity, unit_price, total_price) VALUES
 (1, 1, 1, 9.99, 9.99), (1, 4, 1, 24.5, 24.5), (2, 3, 1, 39.0, 39.0),
 (3, 5, 1, 129.0, 129.0), (3, 6, 1, 19.99, 19.99), (4, 1, 1, 9.99, 9.99), (2, 2, 0, 14.5, 0);
INSERT INTO user_sessions (user_id, session_token, expires_at, user_agent, ip_address, created_at) VALUES
 (1, 'tok_8f14e45fceea167a5a36dedd4bea2543', '2024-02-12 12:00:00', 'ShopApp/3.2 (Android 14)', '192.0.2.10', '2024-01-11 00:00:00'),
 (2, 'tok_c9f0f895fb98ab9159f51fd0297e236d', '2024-02-15 18:20:00', 'ShopApp/3.2 (Android 13)', '198.51.100.7', '2024-01-11 00:00:00'),
 (3, 'tok_45c48cce2e2d7fbdea1afc51c7c6ad26', '2024-02-21 08:45:00', 'ShopApp/3.1 (Android 12)', '203.0.113.99', '2024-01-11 00:00:00');
";

pub fn create(dbdir: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(dbdir)?;
    let db = dbdir.join("shop.db");
    let conn = Connection::open(&db)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch(&format!("BEGIN; {SCHEMA} {DATA} COMMIT;"))?;
    // Everything so far goes into the main file...
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    // ...and from now on nothing is checkpointed, not even on close.
    conn.query_row("PRAGMA wal_autocheckpoint=0", [], |_| Ok(()))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute(
        "INSERT INTO users (id, username, email, first_name, last_name, is_active, created_at, updated_at) \
         VALUES (101, ?1, 'alice@wal.example', 'Alice', 'Walker', 1, '2024-02-01 11:00:00', '2024-02-01 11:00:00'), \
                (102, ?2, 'bob@wal.example', 'Bob', 'Journal', 1, '2024-02-01 11:05:00', '2024-02-01 11:05:00')",
        params![WAL_ONLY_USERNAMES[0], WAL_ONLY_USERNAMES[1]],
    )?;
    conn.execute(
        "INSERT INTO orders (id, user_id, total_amount, status, shipping_address, order_date) \
         VALUES (101, 101, 42.00, 'pending', ?1, '2024-02-01 12:00:00')",
        params![WAL_ONLY_ORDER_ADDRESS],
    )?;
    conn.close().map_err(|(_, e)| e)?;
    let wal = dbdir.join("shop.db-wal");
    match std::fs::metadata(&wal) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(DemoError::WalMissing(wal.display().to_string())),
    }
}
