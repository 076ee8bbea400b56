//! A music catalog shaped like the well-known Chinook sample (tables
//! `Artist`, `Album`, `Genre`, `MediaType`, `Track`, `Playlist`,
//! `PlaylistTrack` with their foreign keys), with generated names. Tests
//! use it as a realistic local database (`sonde-devsim fixture catalog
//! OUT`); the demo's music app is this catalog inside a Room database.

use std::path::Path;

use rusqlite::{params, Connection};

use super::{images, DemoError, Seq};

pub const ARTISTS: i64 = 275;
pub const ALBUMS: i64 = 347;
pub const TRACKS: i64 = 3503;
pub const PLAYLISTS: i64 = 18;

const SCHEMA: &str = "
CREATE TABLE Artist (
    ArtistId INTEGER NOT NULL,
    Name NVARCHAR(120),
    CONSTRAINT PK_Artist PRIMARY KEY (ArtistId)
);
CREATE TABLE Album (
    AlbumId INTEGER NOT NULL,
    Title NVARCHAR(160) NOT NULL,
    ArtistId INTEGER NOT NULL,
    CONSTRAINT PK_Album PRIMARY KEY (AlbumId),
    FOREIGN KEY (ArtistId) REFERENCES Artist (ArtistId) ON DELETE NO ACTION ON UPDATE NO ACTION
);
CREATE TABLE Genre (
    GenreId INTEGER NOT NULL,
    Name NVARCHAR(120),
    CONSTRAINT PK_Genre PRIMARY KEY (GenreId)
);
CREATE TABLE MediaType (
    MediaTypeId INTEGER NOT NULL,
    Name NVARCHAR(120),
    CONSTRAINT PK_MediaType PRIMARY KEY (MediaTypeId)
);
CREATE TABLE Track (
    TrackId INTEGER NOT NULL,
    Name NVARCHAR(200) NOT NULL,
    AlbumId INTEGER,
    MediaTypeId INTEGER NOT NULL,
    GenreId INTEGER,
    Composer NVARCHAR(220),
    Milliseconds INTEGER NOT NULL,
    Bytes INTEGER,
    UnitPrice NUMERIC(10,2) NOT NULL,
    CONSTRAINT PK_Track PRIMARY KEY (TrackId),
    FOREIGN KEY (AlbumId) REFERENCES Album (AlbumId) ON DELETE NO ACTION ON UPDATE NO ACTION,
    FOREIGN KEY (GenreId) REFERENCES Genre (GenreId) ON DELETE NO ACTION ON UPDATE NO ACTION,
    FOREIGN KEY (MediaTypeId) REFERENCES MediaType (MediaTypeId) ON DELETE NO ACTION ON UPDATE NO ACTION
);
CREATE TABLE Playlist (
    PlaylistId INTEGER NOT NULL,
    Name NVARCHAR(120),
    CONSTRAINT PK_Playlist PRIMARY KEY (PlaylistId)
);
CREATE TABLE PlaylistTrack (
    PlaylistId INTEGER NOT NULL,
    TrackId INTEGER NOT NULL,
    CONSTRAINT PK_PlaylistTrack PRIMARY KEY (PlaylistId, TrackId),
    FOREIGN KEY (PlaylistId) REFERENCES Playlist (PlaylistId) ON DELETE NO ACTION ON UPDATE NO ACTION,
    FOREIGN KEY (TrackId) REFERENCES Track (TrackId) ON DELETE NO ACTION ON UPDATE NO ACTION
);
CREATE INDEX IFK_AlbumArtistId ON Album (ArtistId);
CREATE INDEX IFK_TrackAlbumId ON Track (AlbumId);
CREATE INDEX IFK_TrackGenreId ON Track (GenreId);
CREATE INDEX IFK_PlaylistTrackTrackId ON PlaylistTrack (TrackId);
";

const ADJECTIVES: &[&str] = &[
    "Midnight", "Electric", "Silent", "Golden", "Broken", "Velvet", "Northern", "Neon", "Paper", "Crystal",
    "Wild", "Hollow", "Blue", "Iron", "Distant", "Lucky",
];
const NOUNS: &[&str] = &[
    "Compilers",
    "Rivers",
    "Echoes",
    "Engines",
    "Foxes",
    "Satellites",
    "Harbour",
    "Parade",
    "Orchard",
    "Machines",
    "Lanterns",
    "Pilots",
    "Tides",
    "Sparrows",
];
const WORDS: &[&str] = &[
    "love", "night", "road", "fire", "home", "rain", "dance", "light", "heart", "city", "dream", "stone",
    "summer", "ghost", "river", "time",
];
const GENRES: &[&str] = &[
    "Rock",
    "Jazz",
    "Metal",
    "Alternative & Punk",
    "Rock And Roll",
    "Blues",
    "Latin",
    "Reggae",
    "Pop",
    "Soundtrack",
    "Bossa Nova",
    "Easy Listening",
    "Heavy Metal",
    "R&B/Soul",
    "Electronica/Dance",
    "World",
    "Hip Hop/Rap",
    "Science Fiction",
    "TV Shows",
    "Sci Fi & Fantasy",
    "Drama",
    "Comedy",
    "Alternative",
    "Classical",
    "Opera",
];
const MEDIA: &[&str] = &[
    "MPEG audio file",
    "Protected AAC audio file",
    "Protected MPEG-4 video file",
    "Purchased AAC audio file",
    "AAC audio file",
];

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Creates the catalog tables in `conn` (inside one transaction).
pub fn fill(conn: &Connection) -> Result<(), DemoError> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    let mut seq = Seq::new(0xC417);
    for (i, name) in GENRES.iter().enumerate() {
        tx.execute("INSERT INTO Genre VALUES (?1, ?2)", params![i as i64 + 1, name])?;
    }
    for (i, name) in MEDIA.iter().enumerate() {
        tx.execute("INSERT INTO MediaType VALUES (?1, ?2)", params![i as i64 + 1, name])?;
    }
    for id in 1..=ARTISTS {
        let name = format!("{} {} {}", "The", seq.pick(ADJECTIVES), seq.pick(NOUNS));
        let name = if id % 7 == 0 { format!("{name} & Friends") } else { name };
        tx.execute("INSERT INTO Artist VALUES (?1, ?2)", params![id, name])?;
    }
    for id in 1..=ALBUMS {
        let artist = 1 + (id * 37) % ARTISTS;
        let title =
            format!("{} {}", title_case(seq.pick::<&str>(WORDS)), title_case(seq.pick::<&str>(WORDS)));
        let title = if id % 5 == 0 { format!("{title} (Live)") } else { title };
        tx.execute("INSERT INTO Album VALUES (?1, ?2, ?3)", params![id, title, artist])?;
    }
    {
        let mut insert = tx.prepare("INSERT INTO Track VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
        for id in 1..=TRACKS {
            let album = 1 + (id - 1) * ALBUMS / TRACKS;
            let name =
                format!("{} of {}", title_case(seq.pick::<&str>(WORDS)), title_case(seq.pick::<&str>(WORDS)));
            let media = 1 + seq.below(MEDIA.len() as u64) as i64;
            let genre = 1 + seq.below(GENRES.len() as u64) as i64;
            let composer: Option<String> = (seq.below(4) != 0)
                .then(|| format!("{} {}", seq.pick(ADJECTIVES), seq.pick(NOUNS).trim_end_matches('s')));
            let millis = 90_000 + seq.below(360_000) as i64;
            let bytes = millis * 32 + seq.below(100_000) as i64;
            let price = if media == 3 { 1.99 } else { 0.99 };
            insert.execute(params![id, name, album, media, genre, composer, millis, bytes, price])?;
        }
    }
    for id in 1..=PLAYLISTS {
        let name = format!("{} Mix {id}", seq.pick(ADJECTIVES));
        tx.execute("INSERT INTO Playlist VALUES (?1, ?2)", params![id, name])?;
        let tracks = 5 + seq.below(60) as i64;
        for k in 0..tracks {
            let track = 1 + (id * 131 + k * 17) % TRACKS;
            tx.execute("INSERT OR IGNORE INTO PlaylistTrack VALUES (?1, ?2)", params![id, track])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A standalone catalog database at `path` (which must not exist).
pub fn create(path: &Path) -> Result<(), DemoError> {
    let conn = Connection::open(path)?;
    fill(&conn)?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// The music app: `databases/music.db` (a Room database over the catalog),
/// `files/cache_store`, `files/readme.txt`, and its external export.
pub fn write_music_app(app: &Path, fs: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(app.join("databases"))?;
    std::fs::create_dir_all(app.join("files"))?;
    let db = app.join("databases/music.db");
    let conn = Connection::open(&db)?;
    fill(&conn)?;
    // What Room's generated code creates next to the app's own tables.
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS `playlists` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
             `name` TEXT NOT NULL, `track_ids` TEXT NOT NULL, `cover` BLOB, `created_at` INTEGER NOT NULL,
             `source_playlist_id` INTEGER,
             FOREIGN KEY(`source_playlist_id`) REFERENCES `Playlist`(`PlaylistId`) ON UPDATE NO ACTION ON DELETE SET NULL);
         CREATE INDEX IF NOT EXISTS `index_playlists_source_playlist_id` ON `playlists` (`source_playlist_id`);
         CREATE TABLE room_master_table (id INTEGER PRIMARY KEY,identity_hash TEXT);
         INSERT OR REPLACE INTO room_master_table (id,identity_hash) VALUES(42, '7f3c2a9d1e8b4f6a0c5d2e9b8a7f6c3d');
         CREATE TABLE android_metadata (locale TEXT);
         INSERT INTO android_metadata (locale) VALUES ('en_US');
         PRAGMA user_version = 3;",
    )?;
    for id in 1..=4_i64 {
        let tracks: Vec<i64> = (0..6).map(|k| 1 + (id * 211 + k * 29) % TRACKS).collect();
        conn.execute(
            "INSERT INTO playlists (name, track_ids, cover, created_at, source_playlist_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                format!("On repeat {id}"),
                serde_json::to_string(&tracks)?,
                images::png(32, 0xC0 + id as u64)?,
                1_709_251_200_000_i64 + id * 86_400_000,
                (id % 2 == 0).then_some(id)
            ],
        )?;
    }
    let external = fs.join("sdcard/Android/data/com.example.music/files");
    std::fs::create_dir_all(&external)?;
    let export = external.join("export.sqlite");
    conn.execute("ATTACH DATABASE ?1 AS ex", params![export.to_string_lossy().into_owned()])?;
    conn.execute_batch(
        "CREATE TABLE ex.exported_tracks AS
             SELECT t.TrackId AS track_id, t.Name AS name, ar.Name AS artist
             FROM Track t JOIN Album al ON al.AlbumId = t.AlbumId
                          JOIN Artist ar ON ar.ArtistId = al.ArtistId
             ORDER BY t.TrackId LIMIT 100;
         DETACH DATABASE ex;",
    )?;
    conn.close().map_err(|(_, e)| e)?;

    let cache = Connection::open(app.join("files/cache_store"))?;
    cache.execute_batch(
        "CREATE TABLE cache (key TEXT PRIMARY KEY, value BLOB, expires_at INTEGER);
         INSERT INTO cache VALUES ('now_playing', x'01020304', 1893456000);
         INSERT INTO cache VALUES ('last_sync', '2024-02-01T12:00:00Z', 1893456000);",
    )?;
    cache.close().map_err(|(_, e)| e)?;
    std::fs::write(app.join("files/readme.txt"), "Music app cache directory. Not a database.\n")?;
    Ok(())
}
