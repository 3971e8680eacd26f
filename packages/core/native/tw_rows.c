/*
 * tw_rows: a table-valued function for SQLite that reads the journal writer's row bytes
 * (`src/state/row-codec.ts`, tags of `src/state/byte-writer.ts`) and yields one row of `stride`
 * columns (c0 … c31) per encoded row:
 *
 *   INSERT INTO fills (…) SELECT c0, …, c11 FROM tw_rows(?1, 12)
 *
 * The whole batch of a table is bound as one blob, so no value crosses the JavaScript/C
 * boundary one by one (binding a string from JavaScript costs ~180 ns, a number ~55 ns; an
 * order is ~40 values). Values keep the types the JavaScript path binds: f64 → REAL (column
 * affinity applies as for a bound number), ASCII/UTF-8 → TEXT, null → NULL, SAME → the value
 * of the same column in the row before. A JSON value, an unknown tag or a truncated row fails
 * the statement (the batch is not committed), as the JavaScript path does.
 *
 * Built at install by scripts/build-native.mjs against the SQLite headers better-sqlite3 ships;
 * loaded with `db.loadExtension(file, 'sqlite3_twrows_init')`. Little-endian hosts only (the
 * f64 bytes are copied as they are); the entry point refuses a big-endian host.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include <string.h>

#define MAX_COLS 32
enum { T_NULL = 0, T_F64 = 1, T_ASCII = 2, T_UTF8 = 3, T_JSON = 4, T_SAME = 5 };

typedef struct { int tag; const unsigned char *p; int len; double d; } Slot;
typedef struct { sqlite3_vtab base; } RowsTab;
typedef struct {
  sqlite3_vtab_cursor base;
  unsigned char *buf; int n; int pos; int stride; sqlite3_int64 row; int eof;
  Slot slot[MAX_COLS];
} RowsCur;

static int rowsConnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **ppVtab, char **err) {
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15,c16,c17,c18,c19,c20,c21,c22,c23,c24,c25,c26,c27,c28,c29,c30,c31, data HIDDEN, stride HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  RowsTab *t = sqlite3_malloc(sizeof(RowsTab));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  *ppVtab = &t->base;
  return SQLITE_OK;
}
static int rowsDisconnect(sqlite3_vtab *v) { sqlite3_free(v); return SQLITE_OK; }
static int rowsOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  RowsCur *c = sqlite3_malloc(sizeof(RowsCur));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}
static int rowsClose(sqlite3_vtab_cursor *cur) { RowsCur *c = (RowsCur *)cur; sqlite3_free(c->buf); sqlite3_free(c); return SQLITE_OK; }

static int fail(RowsCur *c, const char *msg) {
  sqlite3_free(c->base.pVtab->zErrMsg);
  c->base.pVtab->zErrMsg = sqlite3_mprintf("tw_rows: %s at byte %d", msg, c->pos);
  return SQLITE_ERROR;
}
/* decodes the next row into the slots (SAME leaves a slot as the row before set it) */
static int rowsNext(sqlite3_vtab_cursor *cur) {
  RowsCur *c = (RowsCur *)cur;
  if (c->pos >= c->n) { c->eof = 1; return SQLITE_OK; }
  const unsigned char *b = c->buf;
  int p = c->pos, n = c->n;
  for (int i = 0; i < c->stride; i++) {
    if (p >= n) { c->pos = p; return fail(c, "incomplete row"); }
    int tag = b[p];
    Slot *s = &c->slot[i];
    if (tag == T_F64) {
      if (p + 9 > n) { c->pos = p; return fail(c, "read past the end"); }
      memcpy(&s->d, b + p + 1, 8); /* little-endian hosts only: checked at load */
      s->tag = T_F64; p += 9;
    } else if (tag == T_ASCII) {
      if (p + 2 > n || p + 2 + b[p + 1] > n) { c->pos = p; return fail(c, "read past the end"); }
      s->tag = T_ASCII; s->len = b[p + 1]; s->p = b + p + 2; p += 2 + s->len;
    } else if (tag == T_NULL) {
      s->tag = T_NULL; p += 1;
    } else if (tag == T_SAME) {
      if (c->row == 0) { c->pos = p; return fail(c, "repeated value without a row before"); }
      p += 1;
    } else if (tag == T_UTF8) {
      if (p + 5 > n) { c->pos = p; return fail(c, "read past the end"); }
      unsigned int l; memcpy(&l, b + p + 1, 4);
      if ((long long)p + 5 + l > n) { c->pos = p; return fail(c, "read past the end"); }
      s->tag = T_UTF8; s->len = (int)l; s->p = b + p + 5; p += 5 + (int)l;
    } else {
      c->pos = p; return fail(c, tag == T_JSON ? "a JSON value cannot be bound" : "bad value tag");
    }
  }
  c->pos = p;
  c->row++;
  return SQLITE_OK;
}
static int rowsFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  RowsCur *c = (RowsCur *)cur;
  sqlite3_free(c->buf); c->buf = 0; c->n = 0; c->pos = 0; c->row = 0; c->eof = 0;
  if (argc != 2) { c->eof = 1; return SQLITE_OK; }
  int stride = sqlite3_value_int(argv[1]);
  if (stride < 1 || stride > MAX_COLS) return fail(c, "stride out of range");
  c->stride = stride;
  int n = sqlite3_value_bytes(argv[0]);
  const void *src = sqlite3_value_blob(argv[0]);
  if (n > 0) {
    c->buf = sqlite3_malloc(n);
    if (!c->buf) return SQLITE_NOMEM;
    memcpy(c->buf, src, n);
  }
  c->n = n;
  return rowsNext(cur);
}
static int rowsEof(sqlite3_vtab_cursor *cur) { return ((RowsCur *)cur)->eof; }
static int rowsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  RowsCur *c = (RowsCur *)cur;
  if (i >= c->stride) return SQLITE_OK; /* NULL */
  Slot *s = &c->slot[i];
  if (s->tag == T_F64) sqlite3_result_double(ctx, s->d);
  else if (s->tag == T_ASCII || s->tag == T_UTF8) sqlite3_result_text(ctx, (const char *)s->p, s->len, SQLITE_STATIC);
  return SQLITE_OK;
}
static int rowsRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *r) { *r = ((RowsCur *)cur)->row; return SQLITE_OK; }
static int rowsBestIndex(sqlite3_vtab *tab, sqlite3_index_info *info) {
  int data = -1, stride = -1;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    if (!k->usable || k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (k->iColumn == MAX_COLS) data = i; else if (k->iColumn == MAX_COLS + 1) stride = i;
  }
  if (data < 0 || stride < 0) return SQLITE_CONSTRAINT;
  info->aConstraintUsage[data].argvIndex = 1; info->aConstraintUsage[data].omit = 1;
  info->aConstraintUsage[stride].argvIndex = 2; info->aConstraintUsage[stride].omit = 1;
  info->estimatedCost = 1; info->estimatedRows = 1000;
  return SQLITE_OK;
}

static sqlite3_module rowsModule = {
  0, 0, rowsConnect, rowsBestIndex, rowsDisconnect, 0, rowsOpen, rowsClose, rowsFilter, rowsNext, rowsEof, rowsColumn, rowsRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_twrows_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  SQLITE_EXTENSION_INIT2(api);
  const unsigned short one = 1;
  if (*(const unsigned char *)&one != 1) { *err = sqlite3_mprintf("tw_rows: big-endian host"); return SQLITE_ERROR; }
  return sqlite3_create_module(db, "tw_rows", &rowsModule, 0);
}
