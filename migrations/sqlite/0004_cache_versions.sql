-- Version counters that let one server keep answers in memory and still never serve a
-- stale one (SQLite only; see docs/architecture.md §7, "Read caches on SQLite").
--
-- `auth_version` changes whenever anything that decides who a token belongs to changes:
-- the user row (role, name, activity, password) or any of the user's sessions (revoked,
-- refreshed, deleted). `data_version` changes whenever one of the user's rooms or
-- messages changes. Triggers keep them, so a write by any connection or process (the
-- `confab user` CLI beside a running server included) bumps them in the same transaction
-- as the change itself. A reader reads the counters before the data it caches and serves
-- a cached answer only while they are unchanged.

CREATE TABLE user_versions (
    user_id      BLOB    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    auth_version INTEGER NOT NULL DEFAULT 0,
    data_version INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO user_versions (user_id) SELECT id FROM users;

CREATE TRIGGER user_versions_user_insert AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO user_versions (user_id) VALUES (NEW.id);
END;
CREATE TRIGGER user_versions_user_update AFTER UPDATE ON users BEGIN
    UPDATE user_versions SET auth_version = auth_version + 1 WHERE user_id IN (OLD.id, NEW.id);
END;
CREATE TRIGGER user_versions_session_update AFTER UPDATE ON sessions BEGIN
    UPDATE user_versions SET auth_version = auth_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER user_versions_session_delete AFTER DELETE ON sessions BEGIN
    UPDATE user_versions SET auth_version = auth_version + 1 WHERE user_id = OLD.user_id;
END;

CREATE TRIGGER user_versions_room_insert AFTER INSERT ON rooms BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = NEW.owner_id;
END;
CREATE TRIGGER user_versions_room_update AFTER UPDATE ON rooms BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id IN (OLD.owner_id, NEW.owner_id);
END;
CREATE TRIGGER user_versions_room_delete AFTER DELETE ON rooms BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = OLD.owner_id;
END;
CREATE TRIGGER user_versions_message_insert AFTER INSERT ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = NEW.owner_id;
END;
CREATE TRIGGER user_versions_message_update AFTER UPDATE ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id IN (OLD.owner_id, NEW.owner_id);
END;
CREATE TRIGGER user_versions_message_delete AFTER DELETE ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = OLD.owner_id;
END;
