// The embedded ledger: one SQLite file in WAL mode. Several processes may scan at once:
// every write is a BEGIN IMMEDIATE transaction (one writer at a time, the others wait on
// the busy timeout), so the counter update and the log row of a scan land together or not
// at all, and no two scans read the same count. Within a process, connections take turns
// through a WriterGroup, and scans that queue meanwhile share the next transaction.
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/backend.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

constexpr std::string_view kSchemaVersion = "1";
// Scans wait this long for another process's transaction before giving up.
constexpr int kBusyTimeoutMs = 60'000;

// A scan waiting for a write transaction: the caller's arguments (valid while it waits) and,
// once done, its result or its error.
struct PendingScan {
  std::string_view serial, payload, at, where;
  std::optional<CountedScan> result;
  std::exception_ptr error;
  bool done = false;
};

// The connections of one process to one file take turns writing through this. SQLite makes
// a writer that finds the write lock taken sleep in steps of 1 to 100 ms before it tries
// again, so threads of one process (the workers of `viscode serve`) that met there waited
// tens of milliseconds for a lock held for tens of microseconds. Here the next one goes as
// soon as the turn is free, and scans that queued during a transaction are written together
// in the next one (group commit): one commit, one round of file locks and WAL index updates
// for all of them. Other processes still meet on SQLite's lock and the busy timeout. One
// group per file (by its canonical path), shared by the process's connections to it.
//
// Checkpoints (copying the WAL back into the database file and syncing it) run on the
// group's own thread and connection, not in the commit of whichever scan made the WAL reach
// kCheckpointPages (SQLite's automatic checkpoint): that commit held the turn, with every
// queued scan waiting behind a file sync, and was the latency tail of `viscode serve`
// (docs/benchmarks.md). A PASSIVE checkpoint never blocks writers.
constexpr int kCheckpointPages = 1000;  // SQLite's own default threshold

struct WriterGroup {
  std::mutex mutex;  // guards the fields below
  std::condition_variable turn_free;
  bool busy = false;                // a connection is in a write transaction
  std::vector<PendingScan*> queue;  // scans for the next transaction, in arrival order

  explicit WriterGroup(std::string file) : path(std::move(file)) {}
  ~WriterGroup() {
    {
      const std::lock_guard lock(checkpoint_mutex);
      quit = true;
    }
    checkpoint_wanted.notify_all();
    if (checkpointer.joinable()) checkpointer.join();
  }
  WriterGroup(const WriterGroup&) = delete;
  WriterGroup& operator=(const WriterGroup&) = delete;

  // From a connection's WAL hook, after a commit: wakes the checkpointer (started on first
  // need). False when it cannot run, so that the caller checkpoints itself.
  bool want_checkpoint() {
    const std::lock_guard lock(checkpoint_mutex);
    if (failed) return false;
    if (!checkpointer.joinable()) checkpointer = std::thread([this] { run_checkpoints(); });
    wanted = true;
    checkpoint_wanted.notify_one();
    return true;
  }

 private:
  void run_checkpoints() {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      sqlite3_close(db);
      const std::lock_guard lock(checkpoint_mutex);
      failed = true;  // the writers checkpoint in their commits, as SQLite would
      return;
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    std::unique_lock lock(checkpoint_mutex);
    for (;;) {
      checkpoint_wanted.wait(lock, [&] { return wanted || quit; });
      if (quit) break;
      wanted = false;
      lock.unlock();
      // SQLITE_BUSY (another process checkpointing) is fine: the next commit asks again.
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
    lock.unlock();
    sqlite3_close(db);
  }

  const std::string path;
  std::mutex checkpoint_mutex;  // guards the fields below and the thread's start
  std::condition_variable checkpoint_wanted;
  bool wanted = false, quit = false, failed = false;
  std::thread checkpointer;
};

// The WAL hook of every connection, replacing SQLite's automatic checkpoint.
int on_wal_commit(void* group, sqlite3* db, const char* /*schema*/, int pages) {
  if (pages >= kCheckpointPages && !static_cast<WriterGroup*>(group)->want_checkpoint()) {
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

std::shared_ptr<WriterGroup> writer_group(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<WriterGroup>> registry;
  std::error_code ec;
  std::string key = std::filesystem::canonical(path, ec).string();
  if (ec) key = path;
  const std::lock_guard lock(registry_mutex);
  std::weak_ptr<WriterGroup>& slot = registry[key];
  std::shared_ptr<WriterGroup> group = slot.lock();
  if (!group) {
    group = std::make_shared<WriterGroup>(key);
    slot = group;
  }
  // Drop the entries of files no connection has open any more.
  for (auto it = registry.begin(); it != registry.end();) {
    it = it->second.expired() ? registry.erase(it) : std::next(it);
  }
  return group;
}

// Holds the group's turn for a write that is not a scan (an import).
class WriterTurn {
 public:
  explicit WriterTurn(WriterGroup& g) : g_(g) {
    std::unique_lock lock(g_.mutex);
    g_.turn_free.wait(lock, [&] { return !g_.busy; });
    g_.busy = true;
  }
  ~WriterTurn() {
    {
      const std::lock_guard lock(g_.mutex);
      g_.busy = false;
    }
    g_.turn_free.notify_all();
  }
  WriterTurn(const WriterTurn&) = delete;
  WriterTurn& operator=(const WriterTurn&) = delete;

 private:
  WriterGroup& g_;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement& operator=(Statement&& o) noexcept {
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* text = sqlite3_column_text(s, i);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
              : std::string();
}

// The copies (serials scanned more than once, a small part) by time, and each serial's scans.
// Not an index on serials' counts by batch: every scan would rewrite its entry (measured: a
// third fewer verdicts/s), for per-batch counts that still read the whole batch.
constexpr const char* kIndexes =
    "CREATE INDEX IF NOT EXISTS viscode_serials_copies ON serials(last_at) WHERE scans > 1;"
    "CREATE INDEX IF NOT EXISTS viscode_scans_serial ON scans(serial);";

class SqliteLedger final : public LedgerBackend {
 public:
  SqliteLedger(const std::string& path, bool create) : path_(path), create_(create) {
    // Without SQLITE_OPEN_CREATE a missing file is an error, not a new empty ledger.
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      std::error_code ec;
      if (!create && !std::filesystem::exists(path, ec)) {
        throw Error(ErrorCategory::input, "the ledger '" + path +
                                              "' does not exist: " + create_hint() +
                                              ", or check the path given to Ledger::open(url)");
      }
      throw Error(ErrorCategory::input,
                  "cannot open the ledger '" + path + "' (" + why +
                      "): check the path given to Ledger::open(url) and its folder's "
                      "permissions");
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    group_ = writer_group(path);
    try {
      // The schema check comes first (a file that is not a database fails it with
      // SQLITE_NOTADB), so that another program's database is refused unchanged.
      create_schema();
      // WAL with synchronous=NORMAL: a commit survives the process being killed; only a
      // power cut can lose the last commits (docs/ledger.md).
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");
      sqlite3_wal_hook(db_, &on_wal_commit, group_.get());
      insert_template_ =
          prepare("INSERT INTO templates(template) VALUES (?1) ON CONFLICT DO NOTHING");
      // First and last by scan time, not by arrival: a backdated scan (--at, a late upload)
      // earlier than the first becomes the first, one older than the last leaves the last.
      // Times are "YYYY-MM-DDTHH:MM:SSZ", so text order is time order; on a tie the first
      // stays and the last is the newest recorded. Every right-hand side reads the old row.
      count_scan_ = prepare(
          "UPDATE serials SET scans = scans + 1, "
          "first_at = CASE WHEN first_at IS NULL OR ?2 < first_at THEN ?2 ELSE first_at END, "
          "first_where = CASE WHEN first_at IS NULL OR ?2 < first_at THEN ?3 "
          "ELSE first_where END, "
          "last_at = CASE WHEN last_at IS NULL OR ?2 >= last_at THEN ?2 ELSE last_at END, "
          "last_where = CASE WHEN last_at IS NULL OR ?2 >= last_at THEN ?3 ELSE last_where END "
          "WHERE serial = ?1 RETURNING scans, first_at, first_where, batch");
      log_scan_ = prepare(
          "INSERT INTO scans(serial, payload, at, place, count) VALUES (?1, ?2, ?3, ?4, ?5)");
      begin_ = prepare("BEGIN IMMEDIATE");
      commit_ = prepare("COMMIT");
      rollback_ = prepare("ROLLBACK");
      status_ = prepare(
          "SELECT batch, issued_at, scans, first_at, first_where, last_at, last_where "
          "FROM serials WHERE serial = ?1");
    } catch (...) {
      statements_clear();
      sqlite3_close(db_);
      throw;
    }
  }

  ~SqliteLedger() override {
    statements_clear();
    sqlite3_close(db_);
  }

  std::string_view name() const override { return "sqlite"; }

  std::unique_ptr<ImportStage> begin_import() override { return std::make_unique<Import>(*this); }

  std::vector<std::string> templates() override {
    Statement s = prepare("SELECT template FROM templates ORDER BY template");
    std::vector<std::string> out;
    while (step(s.get(), "read the payload templates") == SQLITE_ROW) {
      out.push_back(column_text(s.get(), 0));
    }
    return out;
  }

  // Each scan is its own UPDATE and log INSERT, applied in arrival order, so the verdicts
  // are those of scans recorded one by one; a scan returns only once the transaction that
  // holds it has committed.
  std::optional<CountedScan> record_scan(std::string_view serial, std::string_view payload,
                                         std::string_view at, std::string_view where) override {
    PendingScan mine{serial, payload, at, where, {}, {}, false};
    WriterGroup& g = *group_;
    std::unique_lock lock(g.mutex);
    g.queue.push_back(&mine);
    while (!mine.done) {
      if (g.busy) {
        g.turn_free.wait(lock);
        continue;
      }
      // This thread writes every queued scan (its own among them) on its connection.
      g.busy = true;
      std::vector<PendingScan*> batch;
      batch.swap(g.queue);
      lock.unlock();
      write_scans(batch);
      lock.lock();
      for (PendingScan* p : batch) p->done = true;
      g.busy = false;
      g.turn_free.notify_all();
    }
    if (mine.error) std::rethrow_exception(mine.error);
    return std::move(mine.result);
  }

  SerialStatus status(std::string_view serial) override {
    SerialStatus st;
    st.serial = serial;
    sqlite3_stmt* s = status_.get();
    bind(s, 1, serial);
    if (step(s, "read the serial's status") == SQLITE_ROW) {
      st.issued = true;
      st.batch = column_text(s, 0);
      st.issued_at = column_text(s, 1);
      st.scans = sqlite3_column_int64(s, 2);
      st.first_at = column_text(s, 3);
      st.first_where = column_text(s, 4);
      st.last_at = column_text(s, 5);
      st.last_where = column_text(s, 6);
    }
    sqlite3_reset(s);
    return st;
  }

  bool set_scan_place(std::int64_t scan_id, std::string_view where) override {
    const WriterTurn turn(*group_);  // after this process's queued scans
    Transaction t(*this);
    Statement s = prepare(
        "UPDATE scans SET place = ?2 WHERE id = ?1 AND count > 0 "
        "RETURNING serial, at");
    sqlite3_bind_int64(s.get(), 1, scan_id);
    bind(s.get(), 2, where);
    if (step(s.get(), "set the scan's place") != SQLITE_ROW) return false;
    const std::string serial = column_text(s.get(), 0), at = column_text(s.get(), 1);
    step(s.get(), "set the scan's place");
    // The serial's first and last place are those of its first and last scan by time.
    Statement u = prepare(
        "UPDATE serials SET first_where = CASE WHEN first_at = ?2 THEN ?3 ELSE first_where END, "
        "last_where = CASE WHEN last_at = ?2 THEN ?3 ELSE last_where END WHERE serial = ?1");
    bind(u.get(), 1, serial);
    bind(u.get(), 2, at);
    bind(u.get(), 3, where);
    step_done(u.get(), "set the scan's place");
    t.commit();
    return true;
  }

  std::int64_t clear_places_before(std::string_view before) override {
    const WriterTurn turn(*group_);  // after this process's queued scans
    Transaction t(*this);
    Statement s = prepare("UPDATE scans SET place = '' WHERE at < ?1 AND place <> ''");
    bind(s.get(), 1, before);
    step_done(s.get(), "clear old places");
    const std::int64_t cleared = sqlite3_changes(db_);
    for (const char* sql :
         {"UPDATE serials SET first_where = '' WHERE first_at < ?1 AND first_where <> ''",
          "UPDATE serials SET last_where = '' WHERE last_at < ?1 AND last_where <> ''"}) {
      Statement u = prepare(sql);
      bind(u.get(), 1, before);
      step_done(u.get(), "clear old places");
    }
    t.commit();
    return cleared;
  }

  LedgerStats stats() override {
    // One statement, one snapshot: the counts describe the same moment.
    Statement s = prepare(
        "SELECT count(*), count(*) FILTER (WHERE scans > 0), count(*) FILTER (WHERE scans > 1), "
        "coalesce(sum(scans), 0), (SELECT count(*) FROM scans WHERE count = 0) FROM serials");
    LedgerStats out;
    if (step(s.get(), "read the statistics") == SQLITE_ROW) {
      out.issued = sqlite3_column_int64(s.get(), 0);
      out.scanned = sqlite3_column_int64(s.get(), 1);
      out.seen_before = sqlite3_column_int64(s.get(), 2);
      out.scans = sqlite3_column_int64(s.get(), 3);
      out.not_issued_scans = sqlite3_column_int64(s.get(), 4);
    }
    return out;
  }

  std::vector<BatchStats> batch_stats(std::string_view batch, std::size_t limit) override {
    Statement s = prepare(
        "SELECT batch, min(issued_at), count(*), count(*) FILTER (WHERE scans > 0),"
        " count(*) FILTER (WHERE scans > 1), coalesce(sum(scans), 0), min(first_at),"
        " max(last_at) FROM serials WHERE ?1 = '' OR batch = ?1"
        " GROUP BY batch ORDER BY min(issued_at) DESC, batch LIMIT ?2");
    bind(s.get(), 1, batch);
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(limit));
    std::vector<BatchStats> out;
    while (step(s.get(), "read the batches") == SQLITE_ROW) {
      BatchStats b;
      b.batch = column_text(s.get(), 0);
      b.issued_at = column_text(s.get(), 1);
      b.issued = sqlite3_column_int64(s.get(), 2);
      b.scanned = sqlite3_column_int64(s.get(), 3);
      b.seen_before = sqlite3_column_int64(s.get(), 4);
      b.scans = sqlite3_column_int64(s.get(), 5);
      b.first_at = column_text(s.get(), 6);
      b.last_at = column_text(s.get(), 7);
      out.push_back(std::move(b));
    }
    return out;
  }

  std::vector<CopyRecord> copies(std::string_view batch, std::size_t limit,
                                 std::size_t history) override {
    // One statement, one snapshot. The copies first (bounded), then their logged scans
    // ranked from both ends by time, so that each keeps its earliest and its latest ones.
    // A LEFT JOIN keeps a copy whose log rows were pruned.
    Statement s = prepare(
        "WITH c AS (SELECT serial, batch, scans, first_at, first_where, last_at, last_where"
        "  FROM serials WHERE scans > 1 AND (?1 = '' OR batch = ?1)"
        "  ORDER BY last_at DESC, serial LIMIT ?2),"
        " h AS (SELECT s.id, s.serial, s.at, s.place, s.payload, s.count,"
        "  row_number() OVER (PARTITION BY s.serial ORDER BY s.at, s.id) AS up,"
        "  row_number() OVER (PARTITION BY s.serial ORDER BY s.at DESC, s.id DESC) AS down"
        "  FROM scans s WHERE s.count > 0 AND s.serial IN (SELECT serial FROM c))"
        " SELECT c.serial, c.batch, c.scans, c.first_at, c.first_where, c.last_at, c.last_where,"
        "  h.at, h.place, h.payload, h.count"
        " FROM c LEFT JOIN h ON h.serial = c.serial AND (h.up = 1 OR h.down < ?3)"
        " ORDER BY c.last_at DESC, c.serial, h.at, h.id");
    bind(s.get(), 1, batch);
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(limit));
    sqlite3_bind_int64(s.get(), 3, static_cast<sqlite3_int64>(history));
    std::vector<CopyRecord> out;
    while (step(s.get(), "read the copies") == SQLITE_ROW) {
      const std::string serial = column_text(s.get(), 0);
      if (out.empty() || out.back().serial != serial) {
        CopyRecord c;
        c.serial = serial;
        c.batch = column_text(s.get(), 1);
        c.scans = sqlite3_column_int64(s.get(), 2);
        c.first_at = column_text(s.get(), 3);
        c.first_where = column_text(s.get(), 4);
        c.last_at = column_text(s.get(), 5);
        c.last_where = column_text(s.get(), 6);
        out.push_back(std::move(c));
      }
      if (sqlite3_column_type(s.get(), 7) != SQLITE_NULL) {
        out.back().history.push_back(CopyScan{column_text(s.get(), 7), column_text(s.get(), 8),
                                              column_text(s.get(), 9),
                                              sqlite3_column_int64(s.get(), 10)});
      }
    }
    return out;
  }

  std::vector<DayScans> scans_per_day(std::string_view batch, std::size_t days) override {
    Statement s = prepare(
        "SELECT substr(at, 1, 10) AS day, count(*), count(*) FILTER (WHERE count > 1)"
        " FROM scans s WHERE count > 0 AND (?1 = '' OR EXISTS"
        "  (SELECT 1 FROM serials WHERE serial = s.serial AND batch = ?1))"
        " GROUP BY day ORDER BY day DESC LIMIT ?2");
    bind(s.get(), 1, batch);
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(days));
    std::vector<DayScans> out;
    while (step(s.get(), "read the scans per day") == SQLITE_ROW) {
      out.push_back(DayScans{column_text(s.get(), 0), sqlite3_column_int64(s.get(), 1),
                             sqlite3_column_int64(s.get(), 2)});
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  // Rolls back unless committed, so an exception never leaves a transaction open.
  // The stage is a TEMP table: this connection's own, in a temporary file (SQLite's page
  // cache bounds the memory), so staging takes no lock on the ledger and scans go on.
  class Import final : public ImportStage {
    static constexpr std::string_view kStaging =
        "stage the serials to import in a temporary file (TMPDIR or /var/tmp)";

   public:
    explicit Import(SqliteLedger& l) : l_(l) {
      l_.exec(
          "DROP TABLE IF EXISTS temp.viscode_import;"
          "CREATE TEMP TABLE viscode_import(serial TEXT NOT NULL, line INTEGER NOT NULL);"
          "BEGIN",
          kStaging);
      staging_ = true;
      insert_ = l_.prepare("INSERT INTO temp.viscode_import(serial, line) VALUES (?1, ?2)");
    }
    ~Import() override {
      insert_ = {};
      if (staging_) l_.exec_noexcept("ROLLBACK");
      l_.exec_noexcept("DROP TABLE IF EXISTS temp.viscode_import");
    }
    Import(const Import&) = delete;
    Import& operator=(const Import&) = delete;

    void add(std::string_view serial, std::int64_t line) override {
      l_.bind(insert_.get(), 1, serial);
      sqlite3_bind_int64(insert_.get(), 2, line);
      l_.step_done(insert_.get(), kStaging);
    }

    std::optional<RepeatedSerial> first_repeat() override {
      end_staging();
      Statement s = l_.prepare(
          "SELECT serial, line FROM (SELECT serial, line, row_number() OVER "
          "(PARTITION BY serial ORDER BY line) AS n FROM temp.viscode_import) "
          "WHERE n = 2 ORDER BY line LIMIT 1");
      if (l_.step(s.get(), "look for repeated serials") != SQLITE_ROW) return std::nullopt;
      return RepeatedSerial{column_text(s.get(), 0), sqlite3_column_int64(s.get(), 1)};
    }

    std::int64_t commit(std::string_view batch, std::string_view issued_at,
                        const std::vector<std::string>& templates) override {
      end_staging();
      const WriterTurn turn(*l_.group_);
      Transaction t(l_);
      // In key order: the serials' B-tree is appended to, not split all over.
      Statement s = l_.prepare(
          "INSERT INTO serials(serial, batch, issued_at) SELECT serial, ?1, ?2 "
          "FROM temp.viscode_import WHERE true ORDER BY serial ON CONFLICT(serial) DO NOTHING");
      l_.bind(s.get(), 1, batch);
      l_.bind(s.get(), 2, issued_at);
      l_.step_done(s.get(), "import the serials");
      const std::int64_t added = sqlite3_changes64(l_.db_);
      for (const std::string& tpl : templates) {
        l_.bind(l_.insert_template_.get(), 1, tpl);
        l_.step_done(l_.insert_template_.get(), "import the payload templates");
      }
      t.commit();
      return added;
    }

   private:
    void end_staging() {
      if (!staging_) return;
      insert_ = {};
      l_.exec("COMMIT", kStaging);
      staging_ = false;
    }

    SqliteLedger& l_;
    Statement insert_;
    bool staging_ = false;
  };

  class Transaction {
   public:
    explicit Transaction(SqliteLedger& l) : l_(l) { l_.step_done(l_.begin_.get(), "begin"); }
    void commit() {
      l_.step_done(l_.commit_.get(), "commit");
      done_ = true;
    }
    ~Transaction() {
      if (!done_) {
        sqlite3_step(l_.rollback_.get());
        sqlite3_reset(l_.rollback_.get());
      }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

   private:
    SqliteLedger& l_;
    bool done_ = false;
  };

  // One scan's UPDATE and log row, inside the caller's transaction.
  std::optional<CountedScan> count_and_log(const PendingScan& p) {
    std::optional<CountedScan> counted;
    sqlite3_stmt* u = count_scan_.get();
    bind(u, 1, p.serial);
    bind(u, 2, p.at);
    bind(u, 3, p.where);
    if (step(u, "record the scan") == SQLITE_ROW) {
      counted = CountedScan{sqlite3_column_int64(u, 0), column_text(u, 1), column_text(u, 2),
                            column_text(u, 3)};
      step(u, "record the scan");  // runs the statement to completion
    }
    sqlite3_reset(u);
    sqlite3_stmt* l = log_scan_.get();
    bind(l, 1, p.serial);
    bind(l, 2, p.payload);
    bind(l, 3, p.at);
    bind(l, 4, p.where);
    sqlite3_bind_int64(l, 5, counted ? counted->scans : 0);
    step_done(l, "log the scan");
    if (counted) counted->scan_id = sqlite3_last_insert_rowid(db_);
    return counted;
  }

  // Writes the batch in one transaction. When that fails, each scan again in a transaction
  // of its own, so that a scan fails (nothing of it recorded, its caller gets the error)
  // only for a reason of its own.
  void write_scans(const std::vector<PendingScan*>& batch) noexcept {
    const auto one_by_one = [&](PendingScan* p) {
      try {
        Transaction t(*this);
        p->result = count_and_log(*p);
        t.commit();
      } catch (...) {
        p->result.reset();
        p->error = std::current_exception();
      }
    };
    if (batch.size() == 1) return one_by_one(batch.front());
    try {
      Transaction t(*this);
      for (PendingScan* p : batch) p->result = count_and_log(*p);
      t.commit();
      return;
    } catch (...) {
      for (PendingScan* p : batch) p->result.reset();
    }
    for (PendingScan* p : batch) one_by_one(p);
  }

  [[noreturn]] void fail(int rc, std::string_view doing) const {
    const int primary = rc & 0xff;
    const std::string why = sqlite3_errmsg(db_);
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      throw Error(
          ErrorCategory::input,
          "the ledger '" + path_ + "' is not a viscode ledger (" + why +
              "): give Ledger::open(url) the path of a ledger, or a new file name to start one");
    }
    if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL ||
        primary == SQLITE_IOERR || primary == SQLITE_PERM) {
      throw Error(ErrorCategory::input, "cannot " + std::string(doing) + " in the ledger '" +
                                            path_ + "' (" + why +
                                            "): check the file's permissions and free space");
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      throw Error(ErrorCategory::input, "cannot " + std::string(doing) + " in the ledger '" +
                                            path_ +
                                            "': it stayed locked by another process "
                                            "for 60 s (" +
                                            why + ")");
    }
    throw Error(ErrorCategory::internal,
                "cannot " + std::string(doing) + " in the ledger '" + path_ + "': " + why);
  }

  Statement prepare(std::string_view sql) {
    Statement s(db_, sql);
    if (!s) fail(sqlite3_errcode(db_), "prepare a statement");
    return s;
  }

  void bind(sqlite3_stmt* s, int i, std::string_view text) {
    // A null data pointer would bind SQL NULL; an empty serial or place is the empty text.
    sqlite3_bind_text(s, i, text.data() ? text.data() : "", static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }

  int step(sqlite3_stmt* s, std::string_view doing) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return rc;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) return rc;
    fail(rc, doing);
  }

  void step_done(sqlite3_stmt* s, std::string_view doing) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc, doing);
  }

  void exec(const char* sql, std::string_view doing = "open") {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) fail(rc, doing);
  }
  void exec_noexcept(const char* sql) noexcept {
    sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  }

  void create_schema() {
    exec("BEGIN IMMEDIATE");
    try {
      Statement tables = prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
      step(tables.get(), "open");
      const bool fresh = sqlite3_column_int64(tables.get(), 0) == 0;
      sqlite3_reset(tables.get());
      if (fresh && !create_) {
        // An empty file (or a database without tables) is no ledger yet; it stays as it is.
        throw Error(ErrorCategory::input,
                    "the ledger '" + path_ + "' is empty (no viscode ledger in it yet): " +
                        create_hint() + ", or check the path given to Ledger::open(url)");
      }
      if (fresh) {
        exec(
            "CREATE TABLE viscode_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO viscode_meta VALUES ('schema', '1');"
            "CREATE TABLE serials(serial TEXT PRIMARY KEY, batch TEXT NOT NULL, "
            "  issued_at TEXT NOT NULL, scans INTEGER NOT NULL DEFAULT 0, first_at TEXT, "
            "  first_where TEXT, last_at TEXT, last_where TEXT) WITHOUT ROWID;"
            "CREATE TABLE scans(id INTEGER PRIMARY KEY, serial TEXT NOT NULL, "
            "  payload TEXT NOT NULL, at TEXT NOT NULL, place TEXT NOT NULL, "
            "  count INTEGER NOT NULL);"
            "CREATE TABLE templates(template TEXT PRIMARY KEY);");
      } else {
        std::string version;
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, "SELECT value FROM viscode_meta WHERE key = 'schema'", -1, &raw,
                               nullptr) == SQLITE_OK) {
          if (sqlite3_step(raw) == SQLITE_ROW) version = column_text(raw, 0);
          sqlite3_finalize(raw);
        }
        if (version != kSchemaVersion) {
          throw Error(
              ErrorCategory::input,
              "the ledger '" + path_ + "' is not a viscode ledger" +
                  (version.empty() ? std::string(" (an SQLite database of something else)")
                                   : " (schema " + version + ", this viscode reads 1)") +
                  ": give Ledger::open(url) the path of a ledger, or a new file name to start one");
        }
      }
      // The brand's view reads copies and their scans without reading the whole ledger.
      // Indexes change no result, so a ledger without them (made before) gets them here,
      // once (a few seconds for millions of scans), and stays schema 1.
      exec(kIndexes);
    } catch (...) {
      exec_noexcept("ROLLBACK");
      throw;
    }
    exec("COMMIT");
  }

  std::string create_hint() const {
    return "run 'viscode ledger --db " + path_ + " import manifest.csv' to create it";
  }

  void statements_clear() {
    insert_template_ = {};
    count_scan_ = {};
    log_scan_ = {};
    begin_ = {};
    commit_ = {};
    rollback_ = {};
    status_ = {};
  }

  std::string path_;
  bool create_ = false;
  sqlite3* db_ = nullptr;
  std::shared_ptr<WriterGroup> group_;
  Statement insert_template_, count_scan_, log_scan_, begin_, commit_, rollback_, status_;
};

}  // namespace

std::unique_ptr<LedgerBackend> open_sqlite(const std::string& path, bool create) {
  return std::make_unique<SqliteLedger>(path, create);
}

}  // namespace viscode::detail
