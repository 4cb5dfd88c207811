/*
 * migrations.c - the schema of the store, as numbered migrations.
 *
 * Migration N is tz_store_migration_sql[N - 1]; a database records each one
 * it has applied in schema_migrations, and the backends apply the missing ones
 * in order, each in its own transaction. Migrations are never edited once
 * released: a change to the schema is a new migration at the end.
 *
 * The SQL is kept portable so that a PostgreSQL backend can reuse it with
 * small edits: standard types only (INTEGER/BIGINT, TEXT, DOUBLE PRECISION;
 * BLOB for hashes becomes BYTEA there, and "id INTEGER PRIMARY KEY" an
 * identity column), standard CHECK and REFERENCES constraints, no
 * backend-only functions. Booleans are INTEGER 0/1, which both accept.
 */
#include "store/backend.h"

/* The seven status codes of the workflow (DESIGN 1.1), for the CHECKs below. */
#define STATUS_CODES                                                                               \
    "('new', 'verifying', 'confirmed', 'not_confirmed', 'eliminated', 'referred', 'rejected')"

const char tz_store_migrations_table[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                         " version INTEGER NOT NULL PRIMARY KEY,"
                                         " applied_at BIGINT NOT NULL)";

/* 1: the tables and the indexes that the list filters and the history need. */
static const char schema_v1[] =
    "CREATE TABLE category_groups ("
    " code TEXT NOT NULL PRIMARY KEY,"
    " name_pl TEXT NOT NULL,"
    " name_en TEXT NOT NULL,"
    " sort_order INTEGER NOT NULL DEFAULT 0);"

    "CREATE TABLE categories ("
    " code TEXT NOT NULL PRIMARY KEY,"
    " group_code TEXT NOT NULL REFERENCES category_groups (code),"
    " name_pl TEXT NOT NULL,"
    " name_en TEXT NOT NULL,"
    " retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),"
    " description_required INTEGER NOT NULL DEFAULT 0 CHECK (description_required IN (0, 1)),"
    " visibility TEXT NOT NULL DEFAULT 'always'"
    "  CHECK (visibility IN ('always', 'once_confirmed', 'never')),"
    " sort_order INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX categories_group ON categories (group_code);"

    "CREATE TABLE districts ("
    " id TEXT NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " unit TEXT NOT NULL,"
    " officer TEXT,"
    " geometry TEXT NOT NULL);"

    /* Times are Unix seconds UTC; NULL where the record says 0 ("not yet"). */
    "CREATE TABLE reports ("
    " id INTEGER PRIMARY KEY,"
    " category TEXT NOT NULL REFERENCES categories (code),"
    " lat DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),"
    " lon DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),"
    " district_id TEXT NOT NULL REFERENCES districts (id),"
    " status TEXT NOT NULL CHECK (status IN " STATUS_CODES "),"
    " description TEXT,"
    " public_description TEXT,"
    " received_at BIGINT NOT NULL,"
    " status_changed_at BIGINT NOT NULL,"
    " takeup_due BIGINT NOT NULL,"
    " taken_up_at BIGINT,"
    " verify_due BIGINT,"
    " verified_at BIGINT,"
    " when_date BIGINT,"
    " when_times INTEGER NOT NULL DEFAULT 0 CHECK (when_times BETWEEN 0 AND 15),"
    " when_weekdays INTEGER NOT NULL DEFAULT 0 CHECK (when_weekdays BETWEEN 0 AND 127),"
    " me_too INTEGER NOT NULL DEFAULT 0 CHECK (me_too >= 0),"
    " token_hash BLOB NOT NULL,"
    " reporter_hash BLOB NOT NULL);"
    /* Lists are newest first by id, so the filter indexes end in id. */
    "CREATE INDEX reports_received_at ON reports (received_at);"
    "CREATE INDEX reports_status ON reports (status, id);"
    "CREATE INDEX reports_category ON reports (category, id);"
    "CREATE INDEX reports_district ON reports (district_id, id);"
    "CREATE INDEX reports_lat_lon ON reports (lat, lon);"

    "CREATE TABLE report_transitions ("
    " id INTEGER PRIMARY KEY,"
    " report_id BIGINT NOT NULL REFERENCES reports (id),"
    " from_status TEXT NOT NULL CHECK (from_status IN " STATUS_CODES "),"
    " to_status TEXT NOT NULL CHECK (to_status IN " STATUS_CODES "),"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " note TEXT,"
    " referred_to TEXT);"
    "CREATE INDEX report_transitions_report ON report_transitions (report_id, id);";

/*
 * 2: the KMZB catalogue of 2020 (27 categories in 7 groups). Flags not named
 * take their defaults: not retired, no description required, always visible.
 */
static const char seed_v2[] =
    "INSERT INTO category_groups (code, name_pl, name_en, sort_order) VALUES"
    " ('road', 'Bezpieczeństwo w ruchu drogowym', 'Road safety', 1),"
    " ('railway', 'Bezpieczeństwo na kolei', 'Railway safety', 2),"
    " ('public_order', 'Porządek publiczny', 'Public order', 3),"
    " ('social', 'Problemy społeczne', 'Social problems', 4),"
    " ('animals', 'Zwierzęta', 'Animals', 5),"
    " ('environment', 'Środowisko', 'Environment', 6),"
    " ('water', 'Bezpieczeństwo nad wodą', 'Water safety', 7);"

    "INSERT INTO categories (code, group_code, name_pl, name_en, sort_order) VALUES"
    " ('illegal_parking', 'road', 'nieprawidłowe parkowanie', 'Illegal parking', 1),"
    " ('speeding', 'road', 'przekraczanie dozwolonej prędkości', 'Speeding', 2),"
    " ('poor_road_infrastructure', 'road', 'niewłaściwa infrastruktura drogowa',"
    "  'Inadequate road infrastructure', 3),"
    " ('poor_traffic_organisation', 'road', 'zła organizacja ruchu drogowego',"
    "  'Poor traffic organisation', 4),"
    " ('illegal_racing', 'road', 'nielegalne rajdy samochodowe', 'Illegal car racing', 5),"
    " ('forest_animal_collisions', 'road', 'zdarzenia drogowe z udziałem zwierząt leśnych',"
    "  'Road incidents involving forest animals', 6),"
    " ('unguarded_track_crossing', 'railway', 'niestrzeżone przejście przez tory',"
    "  'Unguarded crossing over railway tracks', 7),"
    " ('unguarded_level_crossing', 'railway', 'niestrzeżony przejazd kolejowy',"
    "  'Unguarded level crossing', 8),"
    " ('vandalism', 'public_order', 'akty wandalizmu', 'Vandalism', 9),"
    " ('public_drinking', 'public_order', 'spożywanie alkoholu w miejscach niedozwolonych',"
    "  'Drinking alcohol in prohibited places', 10),"
    " ('juvenile_groups', 'social', 'grupowanie się małoletnich zagrożonych demoralizacją',"
    "  'Gatherings of minors at risk of delinquency', 12),"
    " ('begging', 'social', 'żebractwo', 'Begging', 14),"
    " ('homeless_in_need', 'social', 'osoba bezdomna wymagająca pomocy',"
    "  'Homeless person in need of help', 15),"
    " ('stray_dogs', 'animals', 'wałęsające się bezpańskie psy', 'Stray dogs', 16),"
    " ('poaching', 'animals', 'kłusownictwo', 'Poaching', 18),"
    " ('illegal_dumping', 'environment', 'dzikie wysypiska śmieci', 'Illegal waste dumps', 19),"
    " ('illegal_logging', 'environment', 'nielegalna wycinka drzew', 'Illegal tree felling', 20),"
    " ('destruction_of_greenery', 'environment', 'niszczenie zieleni',"
    "  'Destruction of greenery', 21),"
    " ('grass_burning', 'environment', 'wypalanie traw', 'Grass burning', 22),"
    " ('quads_in_forest', 'environment', 'poruszanie się po terenach leśnych quadami',"
    "  'Riding quad bikes in forests', 23),"
    " ('dangerous_places_on_water', 'water', 'miejsca niebezpieczne na wodach',"
    "  'Dangerous places on waters', 24),"
    " ('dangerous_places_near_water', 'water', 'miejsca niebezpieczne na terenach wodnych',"
    "  'Dangerous waterside places', 25),"
    " ('unofficial_bathing_sites', 'water', 'dzikie kąpieliska', 'Unofficial bathing sites', 26),"
    " ('drownings', 'water', 'utonięcia', 'Drownings', 27);"

    /* The three whose rules differ from the defaults. */
    "INSERT INTO categories (code, group_code, name_pl, name_en, visibility, sort_order) VALUES"
    " ('drug_use', 'public_order', 'używanie środków odurzających', 'Drug use', 'never', 11),"
    " ('animal_cruelty', 'animals', 'znęcanie się nad zwierzętami', 'Animal cruelty',"
    "  'never', 17);"
    "INSERT INTO categories"
    " (code, group_code, name_pl, name_en, description_required, visibility, sort_order) VALUES"
    " ('dangerous_entertainment', 'public_order', 'miejsce niebezpiecznej działalności "
    "rozrywkowej',"
    "  'Place of dangerous entertainment activity', 1, 'once_confirmed', 13);";

/*
 * 3: the spatial index is a grid cell (TZ_STORE_CELL_SQL in backend.h), not
 * (lat, lon). Reports arrive in id order at random points, so every insert
 * into a (lat, lon) index lands on a random leaf page: a batch of n reports
 * dirtied about n pages of it, each written to the WAL and later checkpointed,
 * and that index was about half the cost of an insert. Sorted by (cell, id),
 * a new report goes to the end of its cell's run, and a batch dirties about
 * one page per cell it touches. lat and lon ride along at the end of each
 * entry (they never change its place: the id before them is unique), so that
 * a list by bbox checks the box on the index and reads from the table only
 * the reports inside it; that makes entries about twice as big and inserts a
 * few percent dearer, and lists through the cells about five times faster
 * (bench_store, bbox_4cells). The in-memory map index, not SQL, answers map
 * queries.
 */
static const char spatial_cell_v3[] =
    "DROP INDEX reports_lat_lon;"
    "CREATE INDEX reports_cell ON reports (" TZ_STORE_CELL_SQL ", id, lat, lon);";

/*
 * migration 4: who said "me too" about a report (DESIGN 1.1), one row per
 * report and reporter (the keyed hash of the address), so that one citizen
 * counts once; reports.me_too keeps the count for reading.
 */
static const char me_too_v4[] = "CREATE TABLE report_me_too ("
                                " report_id BIGINT NOT NULL REFERENCES reports (id),"
                                " reporter_hash BLOB NOT NULL,"
                                " at BIGINT NOT NULL,"
                                " PRIMARY KEY (report_id, reporter_hash));";

/*
 * migration 5: police accounts, their districts, sessions, API tokens, the
 * referral institutions, report reassignment and the hash-chained audit log
 * (src/auth, DESIGN 5). Secrets are stored only as hashes (Argon2id for
 * passwords, BLAKE2b for session ids and API tokens); the TOTP seed must be
 * readable to check a code, so it is kept as it is. The audit log is
 * append-only by contract: triggers refuse UPDATE and DELETE, so that only
 * someone who edits the file (or drops the triggers) can alter it, and
 * `tarcza audit verify` finds that.
 */
static const char auth_v5[] =
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'analyst', 'admin')),"
    " unit TEXT,"
    " password_hash TEXT NOT NULL,"
    " totp_secret BLOB NOT NULL,"
    " totp_last_step BIGINT NOT NULL DEFAULT 0,"
    " failed_count INTEGER NOT NULL DEFAULT 0,"
    " failed_since BIGINT NOT NULL DEFAULT 0,"
    " locked_until BIGINT NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE account_districts ("
    " account_id BIGINT NOT NULL REFERENCES accounts (id),"
    " district_id TEXT NOT NULL REFERENCES districts (id),"
    " PRIMARY KEY (account_id, district_id));"
    "CREATE INDEX account_districts_district ON account_districts (district_id);"
    "CREATE TABLE sessions ("
    " id_hash BLOB NOT NULL PRIMARY KEY,"
    " account_id BIGINT NOT NULL REFERENCES accounts (id),"
    " created_at BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL,"
    " client TEXT);"
    "CREATE TABLE api_tokens ("
    " token_hash BLOB NOT NULL PRIMARY KEY,"
    " account_id BIGINT NOT NULL REFERENCES accounts (id),"
    " label TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)));"
    "CREATE TABLE report_assignments ("
    " report_id BIGINT NOT NULL PRIMARY KEY REFERENCES reports (id),"
    " account TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX report_assignments_account ON report_assignments (account);"
    "CREATE TABLE institutions ("
    " code TEXT NOT NULL PRIMARY KEY,"
    " name_pl TEXT NOT NULL,"
    " name_en TEXT NOT NULL,"
    " sort_order INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO institutions (code, name_pl, name_en, sort_order) VALUES"
    " ('city_guard', 'straż miejska/gminna', 'municipal guard', 1),"
    " ('road_authority', 'zarząd dróg', 'road authority', 2),"
    " ('forest_district', 'nadleśnictwo', 'state forest district', 3),"
    " ('environment_inspectorate', 'inspekcja ochrony środowiska',"
    "  'environmental protection inspectorate', 4),"
    " ('social_welfare', 'ośrodek pomocy społecznej', 'social welfare centre', 5),"
    " ('pkp_plk', 'PKP Polskie Linie Kolejowe', 'PKP Polish Railway Lines', 6),"
    " ('fire_service', 'Państwowa Straż Pożarna', 'State Fire Service', 7),"
    " ('veterinary_inspectorate', 'inspekcja weterynaryjna', 'veterinary inspectorate', 8),"
    " ('water_rescue', 'WOPR', 'water rescue service', 9),"
    " ('municipality', 'urząd gminy/miasta', 'municipal office', 10);"
    "CREATE TABLE audit_log ("
    " seq INTEGER PRIMARY KEY,"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " role TEXT,"
    " client TEXT,"
    " action TEXT NOT NULL,"
    " object TEXT,"
    " fields TEXT,"
    " note TEXT,"
    " outcome TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/*
 * migration 6: API keys of the Open311 interface (only a hash of each key is
 * kept; revoking sets revoked_at) and, beside reports, which key sent a report.
 * A side table rather than a column of reports, so that the report insert,
 * the hottest write there is, stays as it was for the reports no key sent.
 */
static const char api_keys_v6[] =
    "CREATE TABLE api_keys ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " key_hash BLOB NOT NULL UNIQUE,"
    " created_at BIGINT NOT NULL,"
    " revoked_at BIGINT);"
    "CREATE TABLE report_sources ("
    " report_id BIGINT NOT NULL PRIMARY KEY REFERENCES reports (id),"
    " api_key_id BIGINT NOT NULL REFERENCES api_keys (id));"
    "CREATE INDEX report_sources_key ON report_sources (api_key_id, report_id);";

/*
 * migration 7: analysis. A duplicate merged into its original by an officer:
 * who, when and why, one row per duplicate (a duplicate has one original; an
 * original is never itself a duplicate). Both reports stay, with their own
 * histories; the link is the record of the merge.
 */
static const char report_links_v7[] =
    "CREATE TABLE report_links ("
    " report_id BIGINT NOT NULL PRIMARY KEY REFERENCES reports (id),"
    " original_id BIGINT NOT NULL REFERENCES reports (id),"
    " kind TEXT NOT NULL DEFAULT 'duplicate' CHECK (kind IN ('duplicate')),"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " note TEXT,"
    " CHECK (report_id <> original_id));"
    "CREATE INDEX report_links_original ON report_links (original_id, report_id);";

/*
 * migration 8: API tokens end. Each token gets the time it stops working
 * (tz_auth_config.token_s after it was made unless `user token --expires`
 * says otherwise); the tokens made before have 90 days from their making.
 */
static const char token_expiry_v8[] =
    "ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;"
    "UPDATE api_tokens SET expires_at = created_at + 7776000;";

/*
 * migration 9: structured exchange (issue 14). The accounts table is made
 * again with the exchange's roles in its CHECK (a CHECK cannot be altered in
 * place; the runner turns foreign keys off around a migration and checks them
 * before it commits, SQLite's documented way to remake a table). Then cases,
 * their messages (the clock of a request: state, due instant, when and how
 * long it stood), addressees carrying the clock again for the inbox index
 * (unit + state + due instant), entities with their fields as name/value rows
 * and their exact keys for the cross-check, links, a notice's place in its
 * lifecycle (draft, review, published, cancelled, expired, with the
 * reviewer's neutrality check), and the permissions providers gave to pass H2
 * information on.
 */
static const char exchange_v9[] =
    "CREATE TABLE accounts_v9 ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'analyst', 'admin',"
    "  'spoc_operator', 'spoc_supervisor', 'liaison_officer')),"
    " unit TEXT,"
    " password_hash TEXT NOT NULL,"
    " totp_secret BLOB NOT NULL,"
    " totp_last_step BIGINT NOT NULL DEFAULT 0,"
    " failed_count INTEGER NOT NULL DEFAULT 0,"
    " failed_since BIGINT NOT NULL DEFAULT 0,"
    " locked_until BIGINT NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
    " created_at BIGINT NOT NULL);"
    "INSERT INTO accounts_v9 (id, name, role, unit, password_hash, totp_secret, totp_last_step,"
    " failed_count, failed_since, locked_until, disabled, created_at)"
    " SELECT id, name, role, unit, password_hash, totp_secret, totp_last_step, failed_count,"
    " failed_since, locked_until, disabled, created_at FROM accounts;"
    "DROP TABLE accounts;"
    "ALTER TABLE accounts_v9 RENAME TO accounts;"
    "CREATE TABLE x_cases ("
    " id INTEGER PRIMARY KEY,"
    " subject TEXT NOT NULL,"
    " crime_area TEXT NOT NULL DEFAULT '',"
    " node TEXT NOT NULL,"
    " unit TEXT NOT NULL,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE x_messages ("
    " id INTEGER PRIMARY KEY,"
    " case_id BIGINT NOT NULL REFERENCES x_cases (id),"
    " in_reply_to BIGINT REFERENCES x_messages (id),"
    " inbound INTEGER NOT NULL CHECK (inbound IN (0, 1)),"
    " at BIGINT NOT NULL,"
    " type TEXT NOT NULL,"
    " from_node TEXT NOT NULL,"
    " from_unit TEXT NOT NULL,"
    " officer TEXT NOT NULL DEFAULT '',"
    " lang TEXT NOT NULL,"
    " handling TEXT NOT NULL,"
    " restriction TEXT NOT NULL DEFAULT '',"
    " source TEXT NOT NULL,"
    " info TEXT NOT NULL,"
    " urgency TEXT NOT NULL DEFAULT '',"
    " art4_exception TEXT NOT NULL DEFAULT '',"
    " art4_reasons TEXT NOT NULL DEFAULT '',"
    " grounds INTEGER NOT NULL DEFAULT 0,"
    " reasons TEXT NOT NULL DEFAULT '',"
    " notice_type TEXT NOT NULL DEFAULT '',"
    " body TEXT,"
    " state TEXT NOT NULL DEFAULT 'none'"
    "  CHECK (state IN ('none', 'open', 'paused', 'answered', 'refused')),"
    " due_at BIGINT NOT NULL DEFAULT 0,"
    " paused_since BIGINT NOT NULL DEFAULT 0,"
    " paused_total BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX x_messages_case ON x_messages (case_id, id);"
    "CREATE INDEX x_messages_outbox ON x_messages (from_unit, inbound, state, due_at);"
    "CREATE INDEX x_messages_sent ON x_messages (from_unit, inbound, id);"
    "CREATE TABLE x_addressees ("
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " idx INTEGER NOT NULL,"
    " node TEXT NOT NULL,"
    " unit TEXT NOT NULL DEFAULT '',"
    " cc INTEGER NOT NULL DEFAULT 0 CHECK (cc IN (0, 1)),"
    " inbound INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'none',"
    " due_at BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (message_id, idx));"
    "CREATE INDEX x_addressees_inbox ON x_addressees (unit, inbound, state, due_at, message_id);"
    "CREATE INDEX x_addressees_recent ON x_addressees (unit, inbound, message_id);"
    "CREATE TABLE x_entities ("
    " id INTEGER PRIMARY KEY,"
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " idx INTEGER NOT NULL,"
    " ref TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " UNIQUE (message_id, idx));"
    "CREATE TABLE x_entity_fields ("
    " entity_id BIGINT NOT NULL REFERENCES x_entities (id),"
    " name TEXT NOT NULL,"
    " idx INTEGER NOT NULL DEFAULT 0,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (entity_id, name, idx));"
    "CREATE TABLE x_entity_keys ("
    " key TEXT NOT NULL,"
    " entity_id BIGINT NOT NULL REFERENCES x_entities (id),"
    " PRIMARY KEY (key, entity_id));"
    "CREATE TABLE x_links ("
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " idx INTEGER NOT NULL,"
    " from_ref TEXT NOT NULL,"
    " to_ref TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " PRIMARY KEY (message_id, idx));"
    "CREATE TABLE x_notices ("
    " message_id BIGINT NOT NULL PRIMARY KEY REFERENCES x_messages (id),"
    " state TEXT NOT NULL"
    "  CHECK (state IN ('draft', 'review', 'published', 'cancelled', 'expired')),"
    " changed_at BIGINT NOT NULL,"
    " reviewed_by TEXT NOT NULL DEFAULT '',"
    " step_note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX x_notices_state ON x_notices (state, message_id);"
    "CREATE TABLE x_permissions ("
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " to_node TEXT NOT NULL,"
    " at BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " PRIMARY KEY (message_id, to_node));";

/*
 * migration 10: screening's watch-lists (issue 15). A source is a list as imported (its name,
 * the format of its file, when, and a version that every import raises, so that an index knows
 * it is behind); a re-import of a source replaces its rows. A person
 * is one row per name of a record (aliases are rows of the same record id); documents and
 * vehicles follow INTERPOL's SLTD and SMV. Dates of birth are text (a year, a year and month, or
 * a date) because lists give them partly.
 */
static const char watchlist_v10[] =
    "CREATE TABLE watchlist_sources ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " format TEXT NOT NULL CHECK (format IN ('csv', 'json', 'ftm', 'notice')),"
    " imported_at BIGINT NOT NULL,"
    " version BIGINT NOT NULL);"
    "CREATE TABLE watchlist_persons ("
    " id INTEGER PRIMARY KEY,"
    " source_id BIGINT NOT NULL REFERENCES watchlist_sources (id),"
    " record_id TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " birth_date TEXT,"
    " sex TEXT CHECK (sex IN ('m', 'f')),"
    " nationalities TEXT,"
    " UNIQUE (source_id, record_id, name));"
    "CREATE TABLE watchlist_documents ("
    " id INTEGER PRIMARY KEY,"
    " source_id BIGINT NOT NULL REFERENCES watchlist_sources (id),"
    " record_id TEXT NOT NULL,"
    " doc_type TEXT,"
    " number TEXT NOT NULL,"
    " country TEXT,"
    " valid_until TEXT,"
    " status TEXT CHECK (status IN ('stolen', 'lost', 'revoked', 'invalidated')),"
    " UNIQUE (source_id, record_id));"
    "CREATE TABLE watchlist_vehicles ("
    " id INTEGER PRIMARY KEY,"
    " source_id BIGINT NOT NULL REFERENCES watchlist_sources (id),"
    " record_id TEXT NOT NULL,"
    " vin TEXT,"
    " plate TEXT,"
    " plate_country TEXT,"
    " make TEXT,"
    " model TEXT,"
    " colour TEXT,"
    " status TEXT CHECK (status IN ('stolen')),"
    " UNIQUE (source_id, record_id));";

/*
 * migration 11: the assistant's search. An FTS5 index without content over the folded text of
 * the reports' descriptions (rowid = the report's id; the folding is C, assistant/search_fold.c,
 * so the SQL stays a plain unicode61 tokenizer over ASCII words), and how far it has read the
 * reports. SQLite only: the PostgreSQL backend will index with its own text search. Written to
 * run again over itself (IF NOT EXISTS), as test_store rolls a database back to version 1.
 */
static const char assistant_search_v11[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_reports USING fts5(folded, content='', columnsize=0,"
    " tokenize='unicode61', prefix='3');"
    "CREATE TABLE IF NOT EXISTS search_state ("
    " name TEXT NOT NULL PRIMARY KEY,"
    " upto BIGINT NOT NULL DEFAULT 0);"
    "INSERT OR IGNORE INTO search_state (name, upto) VALUES ('reports', 0);";

/*
 * migration 12: the citizen's side. A status change may carry a public note,
 * the officer's words for everyone (Open311 servicerequestupdates gives it as
 * the update's description); the note beside it stays the reporter's. Status
 * changes are read by time for those updates.
 */
static const char citizen_v12[] =
    "ALTER TABLE report_transitions ADD COLUMN public_note TEXT;"
    "CREATE INDEX report_transitions_at ON report_transitions (at, id);";

/*
 * migration 13: address points (the state register PRG, `tarcza import-addresses`). One row per
 * locality, street and number; the search index is built in memory at start (src/address/), so
 * the table needs no index beyond the key. IF NOT EXISTS, so that it can
 * run again over itself (test_store rolls a database back to version 1).
 */
static const char addresses_v13[] =
    "CREATE TABLE IF NOT EXISTS addresses ("
    " id INTEGER PRIMARY KEY,"
    " locality TEXT NOT NULL,"
    " street TEXT NOT NULL,"
    " number TEXT NOT NULL,"
    " postcode TEXT NOT NULL,"
    " lon DOUBLE PRECISION NOT NULL,"
    " lat DOUBLE PRECISION NOT NULL,"
    " UNIQUE (locality, street, number));";

/*
 * migration 14: what a SPOC does beyond messages (issue 14). A message's
 * attachments (bytes, the type sniffed from them, their SHA-256), written in
 * the transaction of their message; and the Art. 9 deviations for judicial
 * authorisation: the request, the message that informed the requester, the
 * expected delay and the reasons (the delay is also added to the request's
 * paused_total, which moves its due instant). An index on the messages' time
 * for the Art. 18 statistics of a year.
 */
static const char exchange_spoc_v14[] =
    "CREATE TABLE x_attachments ("
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " idx INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " size BIGINT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " data BLOB NOT NULL,"
    " PRIMARY KEY (message_id, idx));"
    "CREATE TABLE x_deviations ("
    " message_id BIGINT NOT NULL PRIMARY KEY REFERENCES x_messages (id),"
    " request_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " at BIGINT NOT NULL,"
    " delay_s BIGINT NOT NULL CHECK (delay_s > 0),"
    " reasons TEXT NOT NULL,"
    " actor TEXT NOT NULL);"
    "CREATE INDEX x_deviations_request ON x_deviations (request_id);"
    "CREATE INDEX x_messages_at ON x_messages (at);";
/*
 * migration 15: the assistant's search over exchange messages. An FTS5
 * index without content over the folded free text of the messages (rowid = the message's id),
 * read on by id as the reports' index is (messages are never deleted nor their text changed);
 * who may read a hit is exchange's rule, applied to each hit when it is read. IF NOT EXISTS,
 * so that it can run again over itself.
 */
static const char assistant_messages_v15[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_x_messages USING fts5(folded, content='',"
    " columnsize=0, tokenize='unicode61', prefix='3');"
    "INSERT OR IGNORE INTO search_state (name, upto) VALUES ('x_messages', 0);";

/*
 * migration 16: the exchange's events and retention (issue 14): football events announced by an
 * nfip_event message (its id is the event's), the NFIP part of the event's
 * other messages (a risk assessment's phase and risk, supporter movements,
 * spotters asked for), and the retention of concluded cases (Art. 16: the
 * unit that owns it here, when the review is due, what the last review
 * decided and why).
 */
static const char exchange_events_v16[] =
    "CREATE TABLE x_events ("
    " id BIGINT NOT NULL PRIMARY KEY REFERENCES x_messages (id),"
    " case_id BIGINT NOT NULL REFERENCES x_cases (id),"
    " competition TEXT NOT NULL,"
    " home TEXT NOT NULL,"
    " away TEXT NOT NULL,"
    " venue TEXT NOT NULL,"
    " country TEXT NOT NULL,"
    " lat DOUBLE PRECISION NOT NULL,"
    " lon DOUBLE PRECISION NOT NULL,"
    " kickoff BIGINT NOT NULL,"
    " window_from BIGINT NOT NULL,"
    " window_to BIGINT NOT NULL,"
    " risk TEXT NOT NULL);"
    "CREATE INDEX x_events_kickoff ON x_events (kickoff);"
    "CREATE TABLE x_nfip ("
    " message_id BIGINT NOT NULL PRIMARY KEY REFERENCES x_messages (id),"
    " event_id BIGINT NOT NULL REFERENCES x_events (id),"
    " phase TEXT NOT NULL DEFAULT '',"
    " risk TEXT NOT NULL DEFAULT '',"
    " supporters BIGINT NOT NULL DEFAULT -1,"
    " risk_supporters BIGINT NOT NULL DEFAULT -1,"
    " transport TEXT NOT NULL DEFAULT '',"
    " route TEXT NOT NULL DEFAULT '',"
    " arrival BIGINT NOT NULL DEFAULT 0,"
    " spotters BIGINT NOT NULL DEFAULT -1);"
    "CREATE INDEX x_nfip_event ON x_nfip (event_id, message_id);"
    "CREATE TABLE x_retention ("
    " case_id BIGINT NOT NULL PRIMARY KEY REFERENCES x_cases (id),"
    " unit TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('concluded', 'kept', 'deleted')),"
    " concluded_at BIGINT NOT NULL,"
    " concluded_by TEXT NOT NULL,"
    " review_due BIGINT NOT NULL,"
    " reviewed_at BIGINT NOT NULL DEFAULT 0,"
    " reviewed_by TEXT NOT NULL DEFAULT '',"
    " reasons TEXT NOT NULL DEFAULT '',"
    " reviews INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX x_retention_due ON x_retention (state, review_due);"
    "CREATE INDEX x_retention_unit ON x_retention (unit, state, review_due);";

/*
 * migration 17: alerts for an area (issue 19). Subscriptions (a feed's area, a webhook, an
 * e-mail address with its token), the outbox of what each is owed (one row per subscription and report: a report reaches a
 * subscription at most once, and a row acknowledged stays acknowledged across restarts), the
 * delivery log, and how far the sender has matched reports (-1: not yet started).
 */
static const char alerts_v17[] =
    "CREATE TABLE IF NOT EXISTS alert_subscriptions ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('feed', 'webhook', 'email')),"
    " area TEXT NOT NULL,"
    " categories TEXT NOT NULL DEFAULT '',"
    " target TEXT,"
    " secret TEXT NOT NULL DEFAULT '',"
    " confirmed INTEGER NOT NULL DEFAULT 0,"
    " disabled_at BIGINT,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " after_report BIGINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alert_outbox ("
    " id INTEGER PRIMARY KEY,"
    " subscription_id BIGINT NOT NULL,"
    " report_id BIGINT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dropped')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at BIGINT NOT NULL,"
    " UNIQUE (subscription_id, report_id));"
    "CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (state, next_at, id);"
    "CREATE TABLE IF NOT EXISTS alert_deliveries ("
    " id INTEGER PRIMARY KEY,"
    " outbox_id BIGINT NOT NULL,"
    " subscription_id BIGINT NOT NULL,"
    " report_id BIGINT NOT NULL,"
    " at BIGINT NOT NULL,"
    " attempt INTEGER NOT NULL,"
    " outcome TEXT NOT NULL,"
    " detail TEXT);"
    "CREATE INDEX IF NOT EXISTS alert_deliveries_sub ON alert_deliveries (subscription_id, id);"
    "CREATE TABLE IF NOT EXISTS alert_state ("
    " name TEXT NOT NULL PRIMARY KEY,"
    " upto BIGINT NOT NULL);"
    "INSERT OR IGNORE INTO alert_state (name, upto) VALUES ('reports', -1);";

/*
 * migration 18: federation (issue 17):
 * the node directory, the outbox and the record of messages received from partners.
 *   - fed_nodes: the partners this node talks to (this node itself is never one of them);
 *   - fed_outbox: one row per message and partner node, queued by a trigger on the message's
 *     addressees, so a message sent to a partner is queued in the very transaction that stores
 *     it (the exchange's write, which knows nothing of federation);
 *   - fed_inbox: the messages stored from partners, by "<sender>:<their id>", written by a
 *     trigger on the audit entry of the message's write (its client names the federation's
 *     envelope: "fed:" digest ":" their case ":" sender ":" their id, fixed widths), so the
 *     record and the message commit together and a second copy fails on the primary key.
 * IF NOT EXISTS, so that it can run again over itself (test_store rolls a database back to
 * version 1; the triggers go with the tables they hang on).
 */
static const char federation_v18[] =
    "CREATE TABLE IF NOT EXISTS fed_nodes ("
    " id TEXT NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " country TEXT NOT NULL,"
    " endpoint TEXT NOT NULL,"
    " cert_sha256 TEXT NOT NULL,"
    " sign_key TEXT NOT NULL,"
    " languages TEXT NOT NULL DEFAULT '',"
    " msg_types TEXT NOT NULL DEFAULT '',"
    " handling TEXT NOT NULL DEFAULT '',"
    " added_at BIGINT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS fed_outbox ("
    " id INTEGER PRIMARY KEY,"
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " node TEXT NOT NULL,"
    " case_id BIGINT NOT NULL,"
    " queued_at BIGINT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'refused')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at BIGINT NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " done_at BIGINT NOT NULL DEFAULT 0,"
    " their_message BIGINT NOT NULL DEFAULT 0,"
    " their_case BIGINT NOT NULL DEFAULT 0,"
    " UNIQUE (message_id, node));"
    "CREATE INDEX IF NOT EXISTS fed_outbox_queue ON fed_outbox (node, state, id);"
    "CREATE INDEX IF NOT EXISTS fed_outbox_case ON fed_outbox (node, case_id, their_case);"
    "CREATE INDEX IF NOT EXISTS fed_outbox_their_case ON fed_outbox (node, their_case);"
    "CREATE TABLE IF NOT EXISTS fed_inbox ("
    " ref TEXT NOT NULL PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " digest TEXT NOT NULL,"
    " their_case BIGINT NOT NULL,"
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " case_id BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS fed_inbox_case ON fed_inbox (sender, case_id);"
    "CREATE INDEX IF NOT EXISTS fed_inbox_their_case ON fed_inbox (sender, their_case);"
    "CREATE INDEX IF NOT EXISTS fed_inbox_message ON fed_inbox (message_id);"
    "CREATE TRIGGER IF NOT EXISTS fed_outbox_enqueue AFTER INSERT ON x_addressees WHEN NEW.inbound = 0"
    " BEGIN INSERT OR IGNORE INTO fed_outbox (message_id, node, case_id, queued_at)"
    "  SELECT NEW.message_id, n.id, m.case_id, m.at FROM fed_nodes n"
    "  JOIN x_messages m ON m.id = NEW.message_id WHERE n.id = NEW.node; END;"
    "CREATE TRIGGER IF NOT EXISTS fed_inbox_record AFTER INSERT ON audit_log"
    " WHEN substr(NEW.client, 1, 4) = 'fed:' AND NEW.action = 'exchange.send'"
    "  AND NEW.outcome = 'ok' AND substr(NEW.object, 1, 5) = 'xmsg/'"
    " BEGIN INSERT INTO fed_inbox (ref, sender, digest, their_case, message_id, case_id)"
    "  SELECT substr(NEW.client, 91),"
    "  substr(NEW.client, 91, instr(substr(NEW.client, 91), ':') - 1),"
    "  substr(NEW.client, 5, 64), CAST(substr(NEW.client, 70, 20) AS INTEGER), m.id, m.case_id"
    "  FROM x_messages m WHERE m.id = CAST(substr(NEW.object, 6) AS INTEGER); END;";

/*
 * migration 19: a report's photos (issue 19), each kept as two JPEGs that photo/photo.c encoded
 * anew without metadata (the display size and a thumbnail), written in the report's own transaction. A photo is pending
 * until an officer approves or rejects it; only approved photos are ever public. IF NOT EXISTS,
 * so that it can run again over itself (test_store rolls a database back to version 1).
 */
static const char photos_v19[] =
    "CREATE TABLE IF NOT EXISTS report_photos ("
    " id INTEGER PRIMARY KEY,"
    " report_id BIGINT NOT NULL REFERENCES reports (id),"
    " idx INTEGER NOT NULL CHECK (idx BETWEEN 1 AND 3),"
    " status TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (status IN ('pending', 'approved', 'rejected')),"
    " width INTEGER NOT NULL,"
    " height INTEGER NOT NULL,"
    " thumb_width INTEGER NOT NULL,"
    " thumb_height INTEGER NOT NULL,"
    " image BLOB NOT NULL,"
    " thumb BLOB NOT NULL,"
    " reviewed_at BIGINT,"
    " reviewed_by TEXT,"
    " UNIQUE (report_id, idx));";

/*
 * migration 20: alerts on status changes (issue 19). An outbox row now names what it is owed:
 * a report's arrival (change_seq 0) or one public status change of it (the change's seq in
 * report_transitions), unique per subscription, report and change, so each change reaches a
 * subscription at most once; and the sender's second cursor, over status changes (-1: not yet
 * started). SQLite cannot change a table's UNIQUE constraint: the outbox is copied over.
 */
static const char alerts_changes_v20[] =
    "CREATE TABLE alert_outbox_v21 ("
    " id INTEGER PRIMARY KEY,"
    " subscription_id BIGINT NOT NULL,"
    " report_id BIGINT NOT NULL,"
    " change_seq BIGINT NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dropped')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at BIGINT NOT NULL,"
    " UNIQUE (subscription_id, report_id, change_seq));"
    "INSERT INTO alert_outbox_v21 (id, subscription_id, report_id, state, attempts, next_at)"
    " SELECT id, subscription_id, report_id, state, attempts, next_at FROM alert_outbox;"
    "DROP TABLE alert_outbox;"
    "ALTER TABLE alert_outbox_v21 RENAME TO alert_outbox;"
    "CREATE INDEX alert_outbox_due ON alert_outbox (state, next_at, id);"
    "ALTER TABLE alert_deliveries ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;"
    "INSERT OR IGNORE INTO alert_state (name, upto) VALUES ('changes', -1);";

/*
 * Migration 21: screening's match keys stored with each watch-list person (issue 15): the name's
 * romanisation as the normaliser wrote it when the row was written, so that the index is built
 * without ICU. Rows of before stay NULL here (SQL has no ICU): the server fills them the first
 * time it builds its index (tz_screening_load), one audited transaction per page of rows.
 */
static const char watchlist_keys_v21[] = "ALTER TABLE watchlist_persons ADD COLUMN name_keys TEXT;";

/*
 * Migration 22: the entities officers added to exchange cases from what the assistant found in a message
 * (issue 16, store/assist_cases.h): a key once per case.
 */
static const char assist_cases_v22[] =
    "CREATE TABLE assist_case_entities ("
    " id INTEGER PRIMARY KEY,"
    " case_id BIGINT NOT NULL REFERENCES x_cases (id),"
    " message_id BIGINT NOT NULL REFERENCES x_messages (id),"
    " type TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '',"
    " value TEXT NOT NULL,"
    " written TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " start_cp BIGINT NOT NULL,"
    " end_cp BIGINT NOT NULL,"
    " actor TEXT NOT NULL,"
    " unit TEXT NOT NULL DEFAULT '',"
    " at BIGINT NOT NULL,"
    " UNIQUE (case_id, key));";

/*
 * Migration 23 (federation, part 3; issue 17): what this node accepts from each
 * partner and the keys it still takes during a rotation, and the revocation list.
 *   - fed_node_terms: one row per partner (removed with it): the message types, handling codes
 *     and body size this node accepts from it ('' and 0: anything), and the partner's previous
 *     signing key and certificate, still accepted until prev_until after a rotation;
 *   - fed_revoked: signing keys and certificate fingerprints this node refuses whoever shows
 *     them ('key:' or 'cert:' and 64 hex digits), with the partner, why and when;
 *   - fed_reads_out: the read receipts this node owes partners (a person opened their message:
 *     triggers on the audit entry of the read), and fed_read_receipts: the ones partners sent
 *     for this node's messages.
 * New tables only, IF NOT EXISTS, so that it can run again over itself (test_store).
 */
static const char federation_terms_v23[] =
    "CREATE TABLE IF NOT EXISTS fed_node_terms ("
    " node TEXT NOT NULL PRIMARY KEY,"
    " accept_types TEXT NOT NULL DEFAULT '',"
    " accept_handling TEXT NOT NULL DEFAULT '',"
    " accept_max_bytes BIGINT NOT NULL DEFAULT 0,"
    " prev_sign_key TEXT NOT NULL DEFAULT '',"
    " prev_cert_sha256 TEXT NOT NULL DEFAULT '',"
    " prev_until BIGINT NOT NULL DEFAULT 0);"
    "CREATE TRIGGER IF NOT EXISTS fed_node_terms_gone AFTER DELETE ON fed_nodes"
    " BEGIN DELETE FROM fed_node_terms WHERE node = OLD.id; END;"
    "CREATE TABLE IF NOT EXISTS fed_revoked ("
    " what TEXT NOT NULL PRIMARY KEY,"
    " node TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " revoked_at BIGINT NOT NULL);"
    /* Read receipts: queued here when a person opens a partner's message (the audit entry of the
     * read, a message or its case, in the read's own transaction), and recorded from partners
     * for the messages this node sent them. */
    "CREATE TABLE IF NOT EXISTS fed_reads_out ("
    " message_id BIGINT NOT NULL PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " their_message BIGINT NOT NULL,"
    " read_at BIGINT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS fed_reads_out_queue ON fed_reads_out (sender, state, message_id);"
    "CREATE INDEX IF NOT EXISTS fed_inbox_case_only ON fed_inbox (case_id);"
    "CREATE TRIGGER IF NOT EXISTS fed_read_message AFTER INSERT ON audit_log"
    " WHEN NEW.action = 'exchange.read' AND NEW.outcome = 'ok'"
    "  AND substr(NEW.actor, 1, 5) <> 'node:' AND substr(NEW.object, 1, 5) = 'xmsg/'"
    " BEGIN INSERT OR IGNORE INTO fed_reads_out (message_id, sender, their_message, read_at)"
    "  SELECT i.message_id, i.sender, CAST(substr(i.ref, length(i.sender) + 2) AS INTEGER), NEW.at"
    "  FROM fed_inbox i WHERE i.message_id = CAST(substr(NEW.object, 6) AS INTEGER); END;"
    "CREATE TRIGGER IF NOT EXISTS fed_read_case AFTER INSERT ON audit_log"
    " WHEN NEW.action = 'exchange.read' AND NEW.outcome = 'ok'"
    "  AND substr(NEW.actor, 1, 5) <> 'node:' AND substr(NEW.object, 1, 6) = 'xcase/'"
    " BEGIN INSERT OR IGNORE INTO fed_reads_out (message_id, sender, their_message, read_at)"
    "  SELECT i.message_id, i.sender, CAST(substr(i.ref, length(i.sender) + 2) AS INTEGER), NEW.at"
    "  FROM fed_inbox i WHERE i.case_id = CAST(substr(NEW.object, 7) AS INTEGER); END;"
    "CREATE TABLE IF NOT EXISTS fed_read_receipts ("
    " node TEXT NOT NULL,"
    " message_id BIGINT NOT NULL,"
    " read_at BIGINT NOT NULL,"
    " PRIMARY KEY (node, message_id));";

/*
 * Migration 24: the idempotency keys of reports (issue 19), written in the report's own
 * transaction. The key is not kept: its hash (the primary key: one report per key), the hash of the body it came with,
 * and the tracking token sealed with a pad derived from the key (store/idempotency.h).
 */
static const char report_idempotency_v24[] =
    "CREATE TABLE IF NOT EXISTS report_idempotency ("
    " key_hash BLOB NOT NULL PRIMARY KEY,"
    " report_id BIGINT NOT NULL REFERENCES reports (id),"
    " body_hash BLOB NOT NULL,"
    " token_seal BLOB NOT NULL,"
    " photos INTEGER NOT NULL DEFAULT 0,"
    " at BIGINT NOT NULL);";

const char *const tz_store_migration_sql[] = {
    schema_v1, seed_v2,          spatial_cell_v3, me_too_v4,
    auth_v5,   api_keys_v6,      report_links_v7, token_expiry_v8,
    exchange_v9, watchlist_v10, assistant_search_v11, citizen_v12, addresses_v13,
    exchange_spoc_v14,
    assistant_messages_v15,
    exchange_events_v16,
    alerts_v17,
    federation_v18,
    photos_v19,
    alerts_changes_v20,
    watchlist_keys_v21,
    assist_cases_v22,
    federation_terms_v23,
    report_idempotency_v24,
};

const int tz_store_migration_count =
    (int)(sizeof tz_store_migration_sql / sizeof tz_store_migration_sql[0]);
