import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { IndexDocument } from '@sluice/contracts';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { EmbeddingModel } from '../embedding/embedder';
import { parseHexColor } from '../embedding/image-features';
import { IndexMismatchError } from '../errors';
import {
  documentVersion,
  type IndexStore,
  type SearchFilters,
  type StoreHit,
  type StorePage,
  type StoreQuery,
  type TextQuery,
  type UpsertOutcome,
} from '../index-store';

const SCHEMA_VERSION = '1';
/** Up to this many candidates, similarity is an exact scan of the filtered documents. */
const EXACT_SCAN_MAX = 2000;
/** sqlite-vec's largest k. Similarity pages reach at most this many neighbours past the filters. */
const KNN_MAX = 4096;
/** BM25 weights of file_name, tags, body, camera. */
const BM25 = 'bm25(documents_fts, 4.0, 3.0, 1.0, 2.0)';

export interface SqliteIndexStoreOptions {
  /** The database file; its folder is created. `:memory:` for tests. */
  file: string;
  embedding: EmbeddingModel;
  /** Drop an index built with another model or dimension instead of refusing it (reindex). */
  recreate?: boolean;
  /** How long a writer waits for another process's write lock. Default 5 s. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

interface DocumentRow {
  rowid: number;
  asset_id: string;
  tenant_id: string;
  version: string;
  doc: string;
}

type Param = string | number | bigint | Buffer | null;

/** A SQL fragment and its parameters. */
interface Sql {
  sql: string;
  params: Param[];
}

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** An FTS5 query: each word a quoted prefix, each phrase quoted, all required. */
export function ftsExpression(text: TextQuery): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return [
    ...text.terms.map((term) => `${quote(term)}*`),
    ...text.phrases.map((words) => quote(words.join(' '))),
  ].join(' AND ');
}

/**
 * The embedded index: one SQLite file (WAL, so the indexer writes while the ingest host reads),
 * documents in a table, words in FTS5, vectors in a sqlite-vec `vec0` table partitioned by tenant.
 * Similarity is exact: a scan of the filtered candidates when they are few, sqlite-vec's
 * brute-force k-nearest-neighbour search when they are many (README: measured choice).
 */
export class SqliteIndexStore implements IndexStore {
  readonly backend = 'sqlite';
  readonly fullText = true;
  readonly embedding: EmbeddingModel;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once per SQL text (queries vary only by their filter shape). */
  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  constructor(options: SqliteIndexStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { readonly: options.readonly ?? false });
    sqliteVec.load(this.db);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.embedding = { model: options.embedding.model, dimension: options.embedding.dimension };
    this.migrate(options.recreate ?? false);
  }

  private migrate(recreate: boolean): void {
    const { model, dimension } = this.embedding;
    this.db
      .transaction(() => {
        this.db.exec('CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
        const meta = Object.fromEntries(
          (
            this.db.prepare('SELECT key, value FROM index_meta').all() as { key: string; value: string }[]
          ).map((row) => [row.key, row.value]),
        );
        const built = meta.model !== undefined;
        const matches = meta.model === model && meta.dimension === String(dimension);
        if (built && !matches) {
          if (!recreate) {
            throw new IndexMismatchError(
              `The search index was built with ${meta.model} (${meta.dimension} dimensions); this build embeds with ${model} (${dimension}). Rebuild it: npm run reindex -w @sluice/indexer -- --recreate`,
            );
          }
          this.db.exec(
            'DROP TABLE IF EXISTS document_vectors; DROP TABLE IF EXISTS documents_fts; DROP TABLE IF EXISTS documents; DELETE FROM index_meta',
          );
        }
        this.db.exec(`
          CREATE TABLE IF NOT EXISTS documents (
            rowid INTEGER PRIMARY KEY,
            asset_id TEXT NOT NULL UNIQUE,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            mime TEXT NOT NULL,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            created_at TEXT NOT NULL,
            color_r INTEGER,
            color_g INTEGER,
            color_b INTEGER,
            version TEXT NOT NULL,
            doc TEXT NOT NULL
          );
          CREATE INDEX IF NOT EXISTS documents_recent ON documents (tenant_id, created_at DESC, asset_id);
          CREATE INDEX IF NOT EXISTS documents_taken ON documents (tenant_id, taken_at);
          CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5 (
            file_name, tags, body, camera,
            tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
          );
          CREATE VIRTUAL TABLE IF NOT EXISTS document_vectors USING vec0 (
            tenant_id TEXT PARTITION KEY,
            embedding FLOAT[${dimension}] distance_metric=cosine
          );
        `);
        const put = this.db.prepare('INSERT OR REPLACE INTO index_meta (key, value) VALUES (?, ?)');
        put.run('schema', SCHEMA_VERSION);
        put.run('model', model);
        put.run('dimension', String(dimension));
      })
      .immediate();
  }

  async upsert(document: IndexDocument, vector: Float32Array | null): Promise<UpsertOutcome> {
    if (vector && vector.length !== this.embedding.dimension) {
      throw new IndexMismatchError(
        `A ${vector.length}-dimension vector cannot go into this ${this.embedding.dimension}-dimension index`,
      );
    }
    const version = documentVersion(document);
    const { embedding: _embedding, ...stored } = document;
    const [r, g, b] = document.dominantColor ? parseHexColor(document.dominantColor) : [null, null, null];
    const run = this.db.transaction((): UpsertOutcome => {
      const existing = this.prepare('SELECT rowid, version FROM documents WHERE asset_id = ?').get(
        document.assetId,
      ) as Pick<DocumentRow, 'rowid' | 'version'> | undefined;
      if (existing && existing.version > version) return 'stale';
      if (existing && existing.version === version) return 'unchanged';
      const values = [
        document.tenantId,
        document.kind,
        document.mime,
        document.width ?? null,
        document.height ?? null,
        document.takenAt ?? null,
        document.createdAt,
        r,
        g,
        b,
        version,
        JSON.stringify(stored),
      ];
      let rowid: number;
      if (existing) {
        rowid = existing.rowid;
        this.prepare(
          `UPDATE documents SET tenant_id = ?, kind = ?, mime = ?, width = ?, height = ?, taken_at = ?,
             created_at = ?, color_r = ?, color_g = ?, color_b = ?, version = ?, doc = ? WHERE rowid = ?`,
        ).run(...values, rowid);
        this.prepare('DELETE FROM documents_fts WHERE rowid = ?').run(rowid);
        this.prepare('DELETE FROM document_vectors WHERE rowid = ?').run(BigInt(rowid));
      } else {
        rowid = Number(
          this.prepare(
            `INSERT INTO documents (asset_id, tenant_id, kind, mime, width, height, taken_at, created_at,
               color_r, color_g, color_b, version, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(document.assetId, ...values).lastInsertRowid,
        );
      }
      const exif = document.exif;
      this.prepare(
        'INSERT INTO documents_fts (rowid, file_name, tags, body, camera) VALUES (?, ?, ?, ?, ?)',
      ).run(
        rowid,
        document.fileName,
        document.tags.join(' '),
        document.text ?? '',
        [exif?.make, exif?.model, exif?.lens].filter(Boolean).join(' '),
      );
      if (vector) {
        this.prepare('INSERT INTO document_vectors (rowid, tenant_id, embedding) VALUES (?, ?, ?)').run(
          BigInt(rowid),
          document.tenantId,
          vectorBlob(vector),
        );
      }
      return 'written';
    });
    return run.immediate();
  }

  async get(tenantId: string, assetId: string): Promise<IndexDocument | null> {
    const row = this.db
      .prepare('SELECT doc FROM documents WHERE asset_id = ? AND tenant_id = ?')
      .get(assetId, tenantId) as Pick<DocumentRow, 'doc'> | undefined;
    return row ? (JSON.parse(row.doc) as IndexDocument) : null;
  }

  async getVector(tenantId: string, assetId: string): Promise<Float32Array | null> {
    const row = this.db
      .prepare(
        `SELECT v.embedding AS embedding FROM documents d JOIN document_vectors v ON v.rowid = d.rowid
         WHERE d.asset_id = ? AND d.tenant_id = ?`,
      )
      .get(assetId, tenantId) as { embedding: Buffer } | undefined;
    if (!row) return null;
    return new Float32Array(
      row.embedding.buffer.slice(
        row.embedding.byteOffset,
        row.embedding.byteOffset + row.embedding.byteLength,
      ),
    );
  }

  async remove(assetId: string): Promise<{ tenantId: string } | null> {
    const run = this.db.transaction(() => {
      const row = this.prepare('SELECT rowid, tenant_id FROM documents WHERE asset_id = ?').get(assetId) as
        | Pick<DocumentRow, 'rowid' | 'tenant_id'>
        | undefined;
      if (!row) return null;
      this.prepare('DELETE FROM documents_fts WHERE rowid = ?').run(row.rowid);
      this.prepare('DELETE FROM document_vectors WHERE rowid = ?').run(BigInt(row.rowid));
      this.prepare('DELETE FROM documents WHERE rowid = ?').run(row.rowid);
      return { tenantId: row.tenant_id };
    });
    return run.immediate();
  }

  async count(tenantId?: string): Promise<number> {
    const row = (
      tenantId === undefined
        ? this.prepare('SELECT count(*) AS n FROM documents').get()
        : this.prepare('SELECT count(*) AS n FROM documents WHERE tenant_id = ?').get(tenantId)
    ) as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async search(query: StoreQuery): Promise<StorePage> {
    const rows =
      query.ranking === 'similarity'
        ? this.similar(query)
        : query.ranking === 'text'
          ? this.text(query)
          : this.recent(query);
    const hasMore = rows.length > query.limit;
    return { hits: rows.slice(0, query.limit), hasMore };
  }

  /** WHERE conditions on `d` (documents) for the tenant, the filters and the text (as a filter). */
  private conditions(query: StoreQuery, withText: boolean): Sql {
    const parts: string[] = ['d.tenant_id = ?'];
    const params: Param[] = [query.tenantId];
    const f: SearchFilters = query.filters;
    if (f.kind) {
      parts.push(`d.kind IN (${f.kind.map(() => '?').join(', ')})`);
      params.push(...f.kind);
    }
    if (f.mime) {
      parts.push(
        `(${f.mime.map((m) => (m.endsWith('/') ? 'substr(d.mime, 1, ?) = ?' : 'd.mime = ?')).join(' OR ')})`,
      );
      for (const m of f.mime) params.push(...(m.endsWith('/') ? [m.length, m] : [m]));
    }
    const range = (column: string, op: string, value: string | number | undefined) => {
      if (value === undefined) return;
      parts.push(`${column} ${op} ?`);
      params.push(value);
    };
    range('d.taken_at', '>=', f.takenFrom);
    range('d.taken_at', '<=', f.takenTo);
    range('d.created_at', '>=', f.createdFrom);
    range('d.created_at', '<=', f.createdTo);
    range('d.width', '>=', f.minWidth);
    range('d.width', '<=', f.maxWidth);
    range('d.height', '>=', f.minHeight);
    range('d.height', '<=', f.maxHeight);
    if (f.orientation === 'landscape') parts.push('d.width > d.height');
    if (f.orientation === 'portrait') parts.push('d.width < d.height');
    if (f.orientation === 'square') parts.push('d.width = d.height');
    if (f.color) {
      const [r, g, b] = f.color.rgb;
      parts.push(
        '((d.color_r - ?) * (d.color_r - ?) + (d.color_g - ?) * (d.color_g - ?) + (d.color_b - ?) * (d.color_b - ?)) <= ?',
      );
      params.push(r, r, g, g, b, b, f.color.tolerance * f.color.tolerance);
    }
    if (query.excludeAssetId) {
      parts.push('d.asset_id <> ?');
      params.push(query.excludeAssetId);
    }
    if (withText && query.text) {
      parts.push('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
      params.push(ftsExpression(query.text));
    }
    return { sql: parts.join(' AND '), params };
  }

  private recent(query: StoreQuery): StoreHit[] {
    const where = this.conditions(query, false);
    const params = [...where.params];
    let keyset = '';
    if (query.after) {
      keyset = 'AND (d.created_at < ? OR (d.created_at = ? AND d.asset_id > ?))';
      params.push(String(query.after.sort), String(query.after.sort), query.after.assetId);
    }
    const rows = this.db
      .prepare(
        `SELECT d.doc, d.created_at AS sort FROM documents d WHERE ${where.sql} ${keyset}
         ORDER BY d.created_at DESC, d.asset_id ASC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as { doc: string; sort: string }[];
    return rows.map((row) => ({ document: JSON.parse(row.doc) as IndexDocument, sort: row.sort }));
  }

  private text(query: StoreQuery): StoreHit[] {
    if (!query.text) throw new Error('A text search needs text');
    const where = this.conditions(query, false);
    const params: Param[] = [ftsExpression(query.text), ...where.params];
    let keyset = '';
    if (query.after) {
      keyset = 'WHERE (rank > ? OR (rank = ? AND asset_id > ?))';
      params.push(Number(query.after.sort), Number(query.after.sort), query.after.assetId);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT d.doc, d.asset_id, ${BM25} AS rank,
                  snippet(documents_fts, 2, '', '', '…', 16) AS snippet
           FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
           WHERE documents_fts MATCH ? AND ${where.sql}
         ) ${keyset}
         ORDER BY rank ASC, asset_id ASC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as { doc: string; rank: number; snippet: string }[];
    return rows.map((row) => ({
      document: JSON.parse(row.doc) as IndexDocument,
      score: -row.rank,
      sort: row.rank,
      ...(row.snippet ? { snippet: row.snippet } : {}),
    }));
  }

  private similar(query: StoreQuery): StoreHit[] {
    if (!query.vector) throw new Error('A similarity search needs a vector');
    const blob = vectorBlob(query.vector);
    const where = this.conditions(query, true);
    const keysetParams: Param[] = [];
    let keyset = '';
    if (query.after) {
      keyset = 'AND (distance > ? OR (distance = ? AND asset_id > ?))';
      keysetParams.push(Number(query.after.sort), Number(query.after.sort), query.after.assetId);
    }
    const wanted = query.limit + 1;
    const toHits = (rows: { doc: string; distance: number }[]) =>
      rows.map((row) => ({
        document: JSON.parse(row.doc) as IndexDocument,
        score: 1 - row.distance,
        sort: row.distance,
      }));
    const candidates = (
      this.prepare(`SELECT count(*) AS n FROM documents d WHERE ${where.sql}`).get(...where.params) as {
        n: number;
      }
    ).n;
    if (candidates <= EXACT_SCAN_MAX) {
      const rows = this.prepare(
        `SELECT * FROM (
             SELECT d.doc, d.asset_id, vec_distance_cosine(v.embedding, ?) AS distance
             FROM documents d JOIN document_vectors v ON v.rowid = d.rowid
             WHERE ${where.sql}
           ) WHERE 1 ${keyset}
           ORDER BY distance ASC, asset_id ASC LIMIT ?`,
      ).all(blob, ...where.params, ...keysetParams, wanted) as { doc: string; distance: number }[];
      return toHits(rows);
    }
    const total = (
      this.prepare('SELECT count(*) AS n FROM documents WHERE tenant_id = ?').get(query.tenantId) as {
        n: number;
      }
    ).n;
    let k = Math.min(KNN_MAX, Math.max(256, wanted * 8));
    for (;;) {
      const rows = this.prepare(
        `SELECT * FROM (
             SELECT d.doc, d.asset_id, knn.distance AS distance
             FROM (SELECT rowid, distance FROM document_vectors
                   WHERE embedding MATCH ? AND k = ? AND tenant_id = ?) knn
             JOIN documents d ON d.rowid = knn.rowid
             WHERE ${where.sql}
           ) WHERE 1 ${keyset}
           ORDER BY distance ASC, asset_id ASC LIMIT ?`,
      ).all(blob, k, query.tenantId, ...where.params, ...keysetParams, wanted) as {
        doc: string;
        distance: number;
      }[];
      if (rows.length >= wanted || k >= KNN_MAX || k >= total) return toHits(rows);
      k = Math.min(KNN_MAX, k * 4);
    }
  }
}
