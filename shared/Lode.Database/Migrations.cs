namespace Lode.Database;

/// <summary>
/// The schema, as an ordered list of migrations. Append new ones; never edit one that has shipped: sites that already
/// ran it would not run it again.
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "documents, chunks, ingest jobs", p => $"""
            CREATE EXTENSION IF NOT EXISTS vector;

            CREATE TABLE index_settings (
                name  text PRIMARY KEY,
                value text NOT NULL
            );

            CREATE TABLE documents (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                bucket          text NOT NULL,
                key             text NOT NULL,
                status          text NOT NULL CHECK (status IN ('pending', 'indexed', 'failed')),
                etag            text,
                size_bytes      bigint,
                content_type    text,
                pages           integer,
                chunk_count     integer,
                error           text,
                attempts        integer NOT NULL DEFAULT 0,
                embedding_model text,
                indexed_at      timestamptz,
                created_at      timestamptz NOT NULL DEFAULT now(),
                updated_at      timestamptz NOT NULL DEFAULT now(),
                UNIQUE (bucket, key)
            );
            CREATE INDEX documents_status_idx ON documents (bucket, status);

            CREATE TABLE chunks (
                id           uuid PRIMARY KEY,
                document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                ordinal      integer NOT NULL,
                page_start   integer NOT NULL,
                page_end     integer NOT NULL,
                token_count  integer NOT NULL,
                content      text NOT NULL,
                content_hash bytea NOT NULL,
                embedding    vector({p.EmbeddingDimensions}) NOT NULL,
                tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
                UNIQUE (document_id, ordinal)
            );
            CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);
            CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops);

            -- One row per object that needs looking at. Events for the same object coalesce into it (generation
            -- counts them), so repeated notifications never cause duplicate work.
            CREATE TABLE ingest_jobs (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                bucket       text NOT NULL,
                key          text NOT NULL,
                reason       text NOT NULL,
                force        boolean NOT NULL DEFAULT false,
                generation   integer NOT NULL DEFAULT 1,
                attempts     integer NOT NULL DEFAULT 0,
                enqueued_at  timestamptz NOT NULL DEFAULT now(),
                available_at timestamptz NOT NULL DEFAULT now(),
                lease_token  uuid,
                leased_by    text,
                leased_until timestamptz,
                last_error   text,
                UNIQUE (bucket, key)
            );
            CREATE INDEX ingest_jobs_available_idx ON ingest_jobs (available_at, id);
            """),
        new(2, "groups that may read each document, on documents and chunks", _ => """
            -- Stored on chunks too, so the filter is a predicate on the rows the HNSW and full-text scans visit (no
            -- join in the candidate queries). Existing rows get no groups: unreadable until re-indexed (deny by default).
            ALTER TABLE documents ADD COLUMN read_groups text[] NOT NULL DEFAULT '{}';
            ALTER TABLE chunks ADD COLUMN read_groups text[] NOT NULL DEFAULT '{}';
            CREATE INDEX chunks_read_groups_idx ON chunks USING gin (read_groups);
            CREATE INDEX documents_read_groups_idx ON documents USING gin (read_groups);
            """),
        new(3, "API keys created at run time, stored as hashes", _ => """
            -- Only the SHA-256 of a key is stored (the key is shown once, when created). Revoked and expired keys stay
            -- for the record; authentication looks up active keys by hash through the unique index.
            CREATE TABLE api_keys (
                id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                name       text NOT NULL,
                key_hash   bytea NOT NULL UNIQUE,
                groups     text[] NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                created_by text,
                expires_at timestamptz,
                revoked_at timestamptz
            );
            """),
        new(4, "audit trail of questions asked, append-only", _ => """
            -- One row per question: who asked (as authenticated, with the groups that decided what they could read),
            -- through which surface, which documents were returned or cited, how long the answer was and how it ended.
            -- question and answer hold text only as far as Audit:TextRetention keeps it: text not kept is never
            -- written, so the table needs no purge and stays append-only.
            CREATE TABLE audit_events (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                occurred_at   timestamptz NOT NULL DEFAULT now(),
                caller        text NOT NULL,
                auth_method   text NOT NULL,
                caller_groups text[] NOT NULL,
                surface       text NOT NULL,
                question      text,
                answer        text,
                answer_chars  integer,
                answer_mode   text,
                sources       jsonb NOT NULL DEFAULT '[]',
                outcome       text NOT NULL
            );
            -- Newest first, for the admin listing (keyset on occurred_at, id) and time ranges; by caller, for "what did X ask".
            CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC);
            CREATE INDEX audit_events_caller_idx ON audit_events (caller, occurred_at DESC, id DESC);

            -- Append-only, enforced here rather than trusted to the application. The one UPDATE allowed: a row written
            -- before its answer was streamed (Audit:Required) gets its outcome once, and nothing that says who asked
            -- what, when, changes.
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    IF OLD.outcome = 'streaming' AND NEW.outcome <> 'streaming'
                       AND (NEW.occurred_at, NEW.caller, NEW.auth_method, NEW.caller_groups, NEW.surface, NEW.question)
                           IS NOT DISTINCT FROM
                           (OLD.occurred_at, OLD.caller, OLD.auth_method, OLD.caller_groups, OLD.surface, OLD.question) THEN
                        RETURN NEW;
                    END IF;
                END IF;
                RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$;
            CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
                FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
            CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
            """),
        new(5, "reindex runs with progress counted from job outcomes; key order as S3 lists it", _ => """
            -- One row per POST api/reindex. listed/queued grow page by page as the bucket is listed (listed_through is
            -- the last key listed, so a listing interrupted by a dead process resumes after it); indexed, skipped,
            -- failed and removed grow as the run's jobs complete, in the transaction that completes them. The run is
            -- done once its listing has ended and every queued job has an outcome.
            CREATE TABLE reindex_runs (
                id             uuid PRIMARY KEY,
                bucket         text NOT NULL,
                prefix         text,
                force          boolean NOT NULL,
                requested_by   text NOT NULL,
                created_at     timestamptz NOT NULL DEFAULT now(),
                status         text NOT NULL DEFAULT 'running'
                               CHECK (status IN ('running', 'listing-done', 'done', 'failed')),
                listed         bigint NOT NULL DEFAULT 0,
                queued         bigint NOT NULL DEFAULT 0,
                indexed        bigint NOT NULL DEFAULT 0,
                skipped        bigint NOT NULL DEFAULT 0,
                failed         bigint NOT NULL DEFAULT 0,
                removed        bigint NOT NULL DEFAULT 0,
                listed_through text,
                error          text,
                finished_at    timestamptz
            );
            CREATE INDEX reindex_runs_listing_idx ON reindex_runs (created_at) WHERE status = 'running';

            -- Which runs wait for a job's outcome. A job coalesces every request for its object (events, runs), so
            -- several runs may wait for one job; each is counted once, when the job completes.
            CREATE TABLE ingest_job_runs (
                job_id bigint NOT NULL REFERENCES ingest_jobs (id) ON DELETE CASCADE,
                run_id uuid NOT NULL REFERENCES reindex_runs (id) ON DELETE CASCADE,
                PRIMARY KEY (job_id, run_id)
            );
            CREATE INDEX ingest_job_runs_run_idx ON ingest_job_runs (run_id);

            -- S3 lists keys in UTF-8 byte order; reconciliation walks documents in the same order (COLLATE "C").
            CREATE INDEX documents_key_bytes_idx ON documents (bucket, key COLLATE "C");
            """),
        new(6, "document structure: titles, heading paths, context, navigation pages", _ => """
            -- A chunk knows the headings it sits under and the context line (title › headings) that was embedded with
            -- it; navigation chunks (tables of contents, indexes) are kept but searched only on request. Rows indexed
            -- before this have no structure until their documents are indexed again (POST api/reindex, force).
            ALTER TABLE documents ADD COLUMN title text;
            ALTER TABLE chunks
                ADD COLUMN heading_path text[] NOT NULL DEFAULT '{}',
                ADD COLUMN context      text NOT NULL DEFAULT '',
                ADD COLUMN navigation   boolean NOT NULL DEFAULT false;

            -- The context is full-text indexed with weight A, the content with D (the default), so a query can weigh
            -- a heading match against a body match (ts_rank's weights) without another column.
            DROP INDEX chunks_tsv_idx;
            ALTER TABLE chunks DROP COLUMN tsv;
            ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS
                (setweight(to_tsvector('english', context), 'A') || to_tsvector('english', content)) STORED;
            CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

            -- Identical passages stored in several documents are returned once, with the other places listed: found by
            -- the hash of their text.
            CREATE INDEX chunks_content_md5_idx ON chunks (md5(content));
            """),
        new(7, "index generations: one embedding model's vectors of every document, switched atomically", _ => """
            -- A generation is the index as one embedding model sees it. Searches use the current one; a model change
            -- builds another in the background (building), which becomes current once every document has it; the one
            -- it replaces stays (previous) until an admin drops it, so switching back is instant. At most one builds.
            CREATE TABLE index_generations (
                id            integer PRIMARY KEY,
                model         text NOT NULL,
                dimensions    integer NOT NULL CHECK (dimensions BETWEEN 1 AND 2000),
                state         text NOT NULL CHECK (state IN ('building', 'current', 'previous')),
                created_at    timestamptz NOT NULL DEFAULT now(),
                completed_at  timestamptz,
                current_since timestamptz
            );
            CREATE UNIQUE INDEX index_generations_one_current ON index_generations (state) WHERE state = 'current';
            CREATE UNIQUE INDEX index_generations_one_building ON index_generations (state) WHERE state = 'building';

            -- Which version (etag) of each document a generation holds, and how many chunks: a job leaves alone the
            -- generations already at the object's etag, and a build is complete when it holds every document the
            -- current generation holds, at the same etag.
            CREATE TABLE document_generations (
                document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                generation  integer NOT NULL REFERENCES index_generations (id) ON DELETE CASCADE,
                etag        text NOT NULL,
                chunk_count integer NOT NULL,
                indexed_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (document_id, generation)
            );
            CREATE INDEX document_generations_generation_idx ON document_generations (generation, document_id);

            -- The index built so far becomes generation 1, with the model it recorded; a fresh database has recorded
            -- none and gets its generation 1 at start-up, for the configured model.
            INSERT INTO index_generations (id, model, dimensions, state, completed_at, current_since)
            SELECT 1, m.value, d.value::integer, 'current', now(), now()
            FROM index_settings m JOIN index_settings d ON d.name = 'embedding_dimensions'
            WHERE m.name = 'embedding_model';
            INSERT INTO document_generations (document_id, generation, etag, chunk_count, indexed_at)
            SELECT d.id, 1, d.etag, coalesce(d.chunk_count, 0), d.indexed_at
            FROM documents d
            WHERE d.indexed_at IS NOT NULL AND d.etag IS NOT NULL AND EXISTS (SELECT 1 FROM index_generations WHERE id = 1);

            -- Every chunk belongs to one generation; those stored so far to generation 1. Generations may differ in
            -- dimension, so the column takes vectors of any length, and each generation has its own HNSW index over
            -- its rows cast to its dimension (GenerationVectorIndex). That replaces chunks_embedding_idx: generation 1's
            -- index is built once, at the first start after this migration, before the app serves.
            ALTER TABLE chunks ADD COLUMN generation integer NOT NULL DEFAULT 1;
            ALTER TABLE chunks DROP CONSTRAINT chunks_document_id_ordinal_key;
            ALTER TABLE chunks ADD CONSTRAINT chunks_document_generation_ordinal_key UNIQUE (document_id, generation, ordinal);
            DROP INDEX chunks_embedding_idx;
            ALTER TABLE chunks ALTER COLUMN embedding TYPE vector;
            """),
        new(8, "a document whose retries gave up keeps serving its last good version, under no groups of its own", _ => """
            -- read_groups NULL: the document's current version never indexed, so no group may be granted anything from
            -- it (readers of the version still served keep reading its chunks, under the chunks' own groups). Every
            -- read of the column goes through COALESCE(read_groups, '{}').
            ALTER TABLE documents ALTER COLUMN read_groups DROP NOT NULL;
            -- When the document stopped being current while an older version's chunks kept answering; NULL otherwise.
            ALTER TABLE documents ADD COLUMN stale_since timestamptz;
            """),
        new(9, "OCR facts of scanned pages: read (with mean confidence), failed (with why) or OCR turned off", _ => """
            -- One row per page whose text exists only as an image; born-digital pages have none. Search results flag
            -- chunks whose pages were read by OCR, and the document shows how many were read, how confidently and
            -- which failed, so a reader knows how far to trust a citation and an owner which pages to rescan.
            CREATE TABLE document_ocr_pages (
                document_id     bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                page            integer NOT NULL,
                state           text NOT NULL CHECK (state IN ('read', 'failed', 'disabled')),
                mean_confidence real CHECK (mean_confidence BETWEEN 0 AND 100),
                reason          text,
                PRIMARY KEY (document_id, page)
            );
            """),
        new(10, "wider word statistics of chunks.tsv: the full-text list chooses its candidates by them", _ => """
            -- ANALYZE lists the most common lexemes of tsv with the share of chunks holding each (pg_stats
            -- most_common_elems / most_common_elem_freqs): 10 per unit of the statistics target, from a sample of 300
            -- rows per unit. Search treats a word missing from the list as rarer than its least common entry, so the
            -- list must reach down to words rare enough to rank all their chunks: 10,000 lexemes from 300,000 rows.
            ALTER TABLE chunks ALTER COLUMN tsv SET STATISTICS 1000;
            -- Now, not at autovacuum's next turn: searches choose their candidates by the list from the first start on.
            ANALYZE chunks;
            """),
        new(11, "vector indexes store half-precision vectors (halfvec): half the size, faster to build, same recall", _ => """
            -- The single-precision index of each generation is dropped here; start-up builds its replacement
            -- (GenerationVectorIndexes.EnsureAsync: CONCURRENTLY, before the app serves), whose expression is the one
            -- searches now order by. Until then a search computes its distances exactly: slower, same results.
            DO $drop$
            DECLARE index_name text;
            BEGIN
                FOR index_name IN
                    SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE i.indrelid = 'chunks'::regclass AND c.relname ~ '^chunks_embedding_g[0-9]+_idx$'
                      AND pg_get_indexdef(i.indexrelid) LIKE '%vector_cosine_ops%'
                LOOP
                    EXECUTE format('DROP INDEX %I', index_name);
                END LOOP;
            END
            $drop$;
            """),
    ];
}
