// The batch runner: serials in, files and an in-order manifest out, in parallel, resumable.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "batch/manifest.hpp"
#include "batch/pin_version.hpp"
#include "batch/run_options.hpp"
#include "batch/serials.hpp"
#include "batch/settings.hpp"
#include "batch/thread_pool.hpp"
#include "render/design_access.hpp"
#include "render/output_file.hpp"
#include "render/sheet_pdf.hpp"
#include "sha256.hpp"
#include "text.hpp"
#include "viscode/batch.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/version.hpp"

namespace viscode {
namespace {

struct Item {
  std::size_t index = 0;  // 1-based
  std::string serial, payload, where;
};

// What a worker hands back, consumed in run order by the calling thread.
struct Result {
  std::string rows;                   // manifest rows (one file per code)
  std::vector<std::uint8_t> content;  // a page's content stream (sheets)
  std::size_t codes = 0;
};

void write_all(int fd, const void* data, std::size_t size, const std::filesystem::path& file) {
  if (const int why = detail::write_fully(fd, static_cast<const std::uint8_t*>(data), size)) {
    throw Error(ErrorCategory::input, "cannot write '" + file.string() + "' (" +
                                          std::strerror(why) +
                                          "): check free space and permissions");
  }
}

// Temporary files of an interrupted run (".00000042.png.Ab12Cd"): never complete, so gone.
void remove_stale_temporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (detail::is_run_temporary(entry.path().filename().string())) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

int digits(std::size_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::string numbered(std::size_t n, int width, std::string_view ext, std::string_view prefix) {
  std::string s = std::to_string(n);
  if (static_cast<int>(s.size()) < width)
    s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return std::string(prefix) + s + std::string(ext);
}

class Run {
 public:
  Run(const Design& design_in, const BatchOptions& o,
      const std::function<void(const BatchProgress&)>& progress)
      : o_(o), progress_(progress), start_(std::chrono::steady_clock::now()) {
    check_options();
    // The template first: its mistakes are cheaper to report than a serial file's.
    tpl_.emplace(o_.payload_template, "BatchOptions.payload_template");
    if (o_.sign_key) {
      check_signed_template(*tpl_, o_.product);
    } else if (!o_.product.empty()) {
      throw Error(ErrorCategory::usage,
                  "BatchOptions.product '" + o_.product +
                      "' is signed with each serial: give BatchOptions.sign_key KEY too");
    }
    // A GS1 template signs its own way (sign_gs1), with the serial rule of AI 21.
    const bool gs1 = tpl_->gs1().has_value();
    const bool signable = o_.sign_key.has_value() && !gs1;
    serials_ = std::visit(
        [signable, gs1](const auto& s) { return detail::open_serials(s, signable, gs1); },
        o_.serials);
    detail::PinnedDesign pinned = detail::pin_version(design_in, o_, *tpl_, *serials_);
    version_ = pinned.version;
    info_ = pinned.info;
    design_.emplace(std::move(pinned.design));
    total_ = serials_->count();
    if (o_.sheet) {
      layout_ = detail::SheetLayout{};
      layout_.page_w_mm = o_.sheet->width_mm;
      layout_.page_h_mm = o_.sheet->height_mm;
      layout_.code_mm = info_.size_mm;
      layout_.gap_mm = o_.sheet->gap_mm;
      layout_.margin_mm = o_.sheet->margin_mm;
      layout_.crop_marks = o_.sheet->crop_marks;
      layout_.labels = o_.sheet->labels;
      layout_.ink = o_.print.ink;
      layout_.icc = o_.print.icc;
      layout_.bleed_mm = o_.print.bleed_mm;
      per_page_ = static_cast<std::size_t>(detail::sheet_grid(layout_).per_page());
      per_file_ = per_page_ * static_cast<std::size_t>(o_.sheet->pages_per_file);
      const std::size_t files = (total_ + per_file_ - 1) / per_file_;
      name_width_ = std::max(4, digits(files));
    } else {
      name_width_ = std::max(6, digits(total_));
    }
  }

  BatchSummary run() {
    open_manifest();
    BatchSummary summary;
    summary.resumed = resumed_;
    summary.remade = remade_;
    summary.files = remade_;
    summary.version = version_;
    summary.manifest = o_.out_dir / kManifestName;
    report(resumed_);
    try {
      if (o_.sheet) {
        make_sheets(summary);
      } else {
        make_files(summary);
      }
    } catch (const Error& e) {
      if (e.category() != ErrorCategory::input) throw;
      // Whatever stopped the run (disk full, permissions), the manifest holds only complete
      // files, so the way on is the same.
      throw Error(ErrorCategory::input,
                  std::string(e.what()) + "; " + std::to_string(done_) + " of " +
                      counted(total_, "code") + (total_ == 1 ? " is" : " are") +
                      " done: run the same command with BatchOptions.resume to make "
                      "the rest");
    }
    summary.codes = total_;
    summary.made = total_ - resumed_;
    summary.seconds = seconds();
    ::close(manifest_fd_);
    manifest_fd_ = -1;
    return summary;
  }

  ~Run() {
    if (manifest_fd_ >= 0) ::close(manifest_fd_);
  }

 private:
  void check_options() {
    jobs_ = detail::check_run_options(o_);
    const detail::OutDirCheck out = detail::check_out_dir(o_.out_dir, o_.resume);
    lock_fd_ = out.lock_fd;
    create_dir_ = out.create;
  }

  void open_manifest() {
    const std::filesystem::path manifest = o_.out_dir / kManifestName;
    const std::filesystem::path settings_file = o_.out_dir / detail::kSettingsName;
    const std::string settings = detail::settings_text(*design_, o_, total_);
    std::error_code ec;
    if (create_dir_) {
      std::filesystem::create_directories(o_.out_dir, ec);
      if (ec) {
        throw Error(ErrorCategory::input, "cannot create '" + o_.out_dir.string() + "' (" +
                                              ec.message() +
                                              "): " + detail::out_dir_fix(ec.value()));
      }
      // Another run may have made it since check_out_dir(), and written in it.
      lock_fd_ = detail::lock_run_dir(o_.out_dir);
      if (!o_.resume) detail::check_empty(o_.out_dir);
    }
    if (std::filesystem::exists(manifest, ec)) {  // with --resume: check_out_dir() saw to it
      const std::string difference =
          detail::settings_difference(detail::read_settings(settings_file), *design_, o_, total_);
      if (!difference.empty()) {
        throw Error(ErrorCategory::usage, "BatchOptions.resume needs the options the run in '" +
                                              o_.out_dir.string() + "' started with (" +
                                              detail::kSettingsName.data() + "): " + difference);
      }
      resume_from(manifest);
      remove_stale_temporaries(o_.out_dir);
    } else {
      detail::write_atomically(settings_file,
                               std::vector<std::uint8_t>(settings.begin(), settings.end()),
                               "BatchOptions.out_dir");
      std::string header(detail::kManifestHeader);
      header += '\n';
      detail::write_atomically(manifest, std::vector<std::uint8_t>(header.begin(), header.end()),
                               "BatchOptions.out_dir");
    }
    manifest_fd_ = ::open(manifest.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (manifest_fd_ < 0) {
      throw Error(ErrorCategory::input, "cannot open '" + manifest.string() + "' (" +
                                            std::strerror(errno) + "): check its permissions");
    }
  }

  // Keeps the manifest's complete rows (for sheets: of complete files), cuts off the rest,
  // and moves the serial source past them.
  void resume_from(const std::filesystem::path& manifest) {
    std::size_t rows = 0;
    std::uint64_t keep = 0;
    {
      detail::ManifestReader reader(manifest);
      keep = reader.end();
      detail::ManifestRow row;
      while (reader.next(row)) {
        ++rows;
        if (row.index != rows) {
          throw Error(ErrorCategory::input, "manifest '" + manifest.string() + "' line " +
                                                std::to_string(reader.line()) + " has index " +
                                                std::to_string(row.index) + " where " +
                                                std::to_string(rows) +
                                                " belongs: it was edited, so the run cannot be "
                                                "resumed safely");
        }
        if (rows > total_) {
          throw Error(ErrorCategory::input, "manifest '" + manifest.string() +
                                                "' has more rows than this run's " +
                                                counted(total_, "code"));
        }
        if (!o_.sheet || rows % per_file_ == 0 || rows == total_) keep = reader.end();
      }
      if (o_.sheet && rows % per_file_ != 0 && rows != total_) rows -= rows % per_file_;
    }
    if (::truncate(manifest.c_str(), static_cast<off_t>(keep)) != 0) {
      throw Error(ErrorCategory::input, "cannot repair '" + manifest.string() + "' (" +
                                            std::strerror(errno) + "): check its permissions");
    }
    // The kept rows' files must still be there as the manifest says: a file deleted or
    // altered since (a power cut, a slip) is made again from its rows. A file's rows are
    // consecutive, so one file's rows are held at a time.
    detail::ManifestReader reader(manifest);
    detail::ManifestRow row;
    std::vector<detail::ManifestRow> group;
    const auto check_group = [&] {
      if (group.empty()) return;
      const std::string sha = detail::sha256_file(o_.out_dir / group.front().file);
      const bool intact = !sha.empty() && std::all_of(group.begin(), group.end(),
                                                      [&](auto& r) { return r.sha256 == sha; });
      if (!intact) remake(group);
      group.clear();
    };
    for (std::size_t i = 0; i < rows && reader.next(row); ++i) {
      serials_->skip_issued(row.serial, row.index);
      if (!group.empty() && group.front().file != row.file) check_group();
      group.push_back(row);
    }
    check_group();
    resumed_ = rows;
    done_ = rows;
  }

  // Makes a file of a resumed run again from its manifest rows. Output is deterministic, so
  // the bytes must be the ones the manifest's SHA-256 records; when they are not (the
  // manifest was edited), nothing is written.
  void remake(const std::vector<detail::ManifestRow>& rows) {
    const std::filesystem::path path = o_.out_dir / rows.front().file;
    const auto item = [](const detail::ManifestRow& r) {
      return Item{r.index, r.serial, r.payload, "index " + std::to_string(r.index)};
    };
    std::vector<std::uint8_t> bytes;
    if (!o_.sheet) {
      bytes = design_->render_file(symbol_for(item(rows.front())), o_.print, *o_.format);
    } else {
      detail::SheetPdf pdf(
          layout_, design_->logo(), design_->render_options(), o_.print.dpi,
          [&bytes](const std::uint8_t* p, std::size_t n) { bytes.insert(bytes.end(), p, p + n); });
      detail::ThreadPool pool(jobs_);
      std::vector<std::future<std::vector<std::uint8_t>>> pages;
      for (std::size_t first = 0; first < rows.size();) {
        std::size_t end = first;
        while (end < rows.size() && rows[end].page == rows[first].page) ++end;
        std::vector<Item> items;
        for (std::size_t i = first; i < end; ++i) items.push_back(item(rows[i]));
        pages.push_back(pool.submit([this, &pdf, items = std::move(items)] {
          std::vector<detail::Plan> plans;
          for (const Item& it : items) {
            plans.push_back(detail::DesignAccess::plan(*design_, symbol_for(it)));
          }
          std::vector<detail::SheetCode> codes;
          for (std::size_t i = 0; i < items.size(); ++i) {
            codes.push_back(detail::SheetCode{&plans[i], items[i].serial});
          }
          return pdf.page(codes);
        }));
        first = end;
      }
      for (auto& page : pages) pdf.add_page(page.get());
      pdf.finish();
    }
    if (detail::sha256_hex(bytes) != rows.front().sha256) {
      throw Error(ErrorCategory::input,
                  "cannot remake '" + path.string() + "' (index " +
                      std::to_string(rows.front().index) +
                      "): made again, its SHA-256 is not the manifest's, so the manifest was "
                      "edited; restore the file or the manifest from a copy, or start again in a "
                      "new BatchOptions.out_dir");
    }
    detail::write_atomically(path, bytes, "BatchOptions.out_dir");
    ++remade_;
  }

  Item next_item(std::size_t index) {
    Item it;
    it.index = index;
    it.serial = serials_->next(&it.where);
    it.payload = o_.sign_key ? signed_payload(*tpl_, *o_.sign_key, it.serial, o_.product)
                             : tpl_->apply(it.serial);
    return it;
  }

  Symbol symbol_for(const Item& it) const {
    try {
      return design_->symbol(it.payload);
    } catch (const Error& e) {
      if (e.category() != ErrorCategory::encode) throw;
      throw Error(ErrorCategory::encode,
                  "serial " + detail::quoted(it.serial) +
                      (it.where.empty() ? "" : " (" + it.where + ")") +
                      " makes a payload that does not fit the run's version " +
                      std::to_string(version_) + ": " + e.what());
    }
  }

  void make_files(BatchSummary& summary) {
    const std::string ext = "." + std::string(enum_name(*o_.format));
    pipeline(
        [&](std::size_t index) {
          std::vector<Item> items{next_item(index)};
          return items;
        },
        [this, ext](const std::vector<Item>& items) {
          Result r;
          for (const Item& it : items) {
            const Symbol symbol = symbol_for(it);
            const std::vector<std::uint8_t> bytes =
                design_->render_file(symbol, o_.print, *o_.format);
            detail::ManifestRow row;
            row.index = it.index;
            row.serial = it.serial;
            row.payload = it.payload;
            row.file = numbered(it.index, name_width_, ext, "");
            row.sha256 = detail::sha256_hex(bytes);
            detail::write_atomically(o_.out_dir / row.file, bytes, "BatchOptions.out_dir");
            detail::append_row(r.rows, row);
            ++r.codes;
          }
          return r;
        },
        [&](Result&& r) {
          append_manifest(r.rows);
          ++summary.files;
        });
  }

  void make_sheets(BatchSummary& summary) {
    // Page content does not depend on the document it goes into, so workers build pages
    // against this one while the calling thread streams them into each file in turn.
    const detail::SheetPdf pages(layout_, design_->logo(), design_->render_options(), o_.print.dpi,
                                 [](const std::uint8_t*, std::size_t) {});
    struct File {
      std::size_t number = 0;
      std::filesystem::path path, tmp;
      int fd = -1;
      detail::Sha256 hash;
      std::unique_ptr<detail::SheetPdf> pdf;
      std::vector<detail::ManifestRow> rows;  // the file's codes, hashed when it is done
      int pages = 0;
    };
    File file;
    const auto discard = [&file] {
      if (file.fd >= 0) ::close(file.fd);
      if (!file.tmp.empty()) std::remove(file.tmp.c_str());
      file = File{};
    };
    std::deque<std::vector<Item>> page_items;  // what each in-flight page holds, in order
    try {
      pipeline(
          [&](std::size_t index) {
            std::vector<Item> items;
            const std::size_t end = std::min(total_, index - 1 + per_page_);
            for (std::size_t i = index; i <= end; ++i) items.push_back(next_item(i));
            page_items.push_back(items);
            return items;
          },
          [this, &pages](const std::vector<Item>& items) {
            std::vector<detail::Plan> plans;
            plans.reserve(items.size());
            for (const Item& it : items) {
              plans.push_back(detail::DesignAccess::plan(*design_, symbol_for(it)));
            }
            std::vector<detail::SheetCode> codes;
            for (std::size_t i = 0; i < items.size(); ++i) {
              codes.push_back(detail::SheetCode{&plans[i], items[i].serial});
            }
            Result r;
            r.content = pages.page(codes);
            r.codes = items.size();
            return r;
          },
          [&](Result&& r) {
            std::vector<Item> items = std::move(page_items.front());
            page_items.pop_front();
            const std::size_t first = items.front().index;
            if (!file.pdf) {
              file.number = (first - 1) / per_file_ + 1;
              const std::string name = numbered(file.number, name_width_, ".pdf", "sheets-");
              file.path = o_.out_dir / name;
              std::string tmp = (o_.out_dir / ("." + name + ".XXXXXX")).string();
              file.fd = ::mkstemp(tmp.data());
              if (file.fd < 0) {
                throw Error(ErrorCategory::input, "cannot write in '" + o_.out_dir.string() +
                                                      "' (" + std::strerror(errno) +
                                                      "): check free space and permissions");
              }
              file.tmp = tmp;
              file.pdf = std::make_unique<detail::SheetPdf>(
                  layout_, design_->logo(), design_->render_options(), o_.print.dpi,
                  [&file](const std::uint8_t* p, std::size_t n) {
                    write_all(file.fd, p, n, file.path);
                    file.hash.update(std::span(p, n));
                  });
            }
            file.pdf->add_page(std::move(r.content));
            ++file.pages;
            for (std::size_t i = 0; i < items.size(); ++i) {
              detail::ManifestRow row;
              row.index = items[i].index;
              row.serial = items[i].serial;
              row.payload = items[i].payload;
              row.file = file.path.filename().string();
              row.page = file.pages;
              row.position = static_cast<int>(i + 1);
              file.rows.push_back(std::move(row));
            }
            const std::size_t last = items.back().index;
            if (file.pages == o_.sheet->pages_per_file || last == total_) {
              file.pdf->finish();
              const std::string sha = file.hash.hex();
              int why = ::fchmod(file.fd, 0644) == 0 ? 0 : errno;
              if (::close(file.fd) != 0 && why == 0) why = errno;
              if (why != 0) {
                file.fd = -1;
                throw Error(ErrorCategory::input, "cannot write '" + file.path.string() + "' (" +
                                                      std::strerror(why) +
                                                      "): check free space and permissions");
              }
              file.fd = -1;
              if (std::rename(file.tmp.c_str(), file.path.c_str()) != 0) {
                throw Error(ErrorCategory::input, "cannot write '" + file.path.string() + "' (" +
                                                      std::strerror(errno) + ")");
              }
              file.tmp.clear();
              // The file is complete on disk; only now may its rows say so.
              std::string rows;
              for (detail::ManifestRow& row : file.rows) {
                row.sha256 = sha;
                detail::append_row(rows, row);
              }
              append_manifest(rows);
              ++summary.files;
              file = File{};
            }
          });
    } catch (...) {
      discard();
      throw;
    }
  }

  // Units of `unit` codes go to the workers in order; results come back in that order.
  // At most a few units per worker are in flight, so memory does not grow with the run.
  template <typename MakeUnit, typename Work, typename Consume>
  void pipeline(MakeUnit make_unit, Work work, Consume consume) {
    detail::ThreadPool pool(jobs_);
    std::deque<std::future<Result>> inflight;
    const std::size_t window = static_cast<std::size_t>(jobs_) * 3;
    std::size_t next = resumed_ + 1, made = resumed_;
    const auto take_one = [&] {
      std::future<Result> f = std::move(inflight.front());
      inflight.pop_front();
      Result r = f.get();
      const std::size_t codes = r.codes;
      consume(std::move(r));
      made += codes;
      report(made);
    };
    try {
      while (next <= total_) {
        auto items = make_unit(next);
        next += items.size();
        inflight.push_back(pool.submit([work, items = std::move(items)] { return work(items); }));
        while (inflight.size() >= window) take_one();
      }
      while (!inflight.empty()) take_one();
    } catch (...) {
      // Let the workers finish what they hold before the pool and the callbacks go away.
      for (auto& f : inflight) f.wait();
      throw;
    }
  }

  void append_manifest(const std::string& rows) {
    write_all(manifest_fd_, rows.data(), rows.size(), o_.out_dir / kManifestName);
    done_ += static_cast<std::size_t>(std::count(rows.begin(), rows.end(), '\n'));
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void report(std::size_t done) {
    if (!progress_) return;
    progress_(BatchProgress{done, total_, resumed_, seconds()});
  }

  const BatchOptions& o_;
  const std::function<void(const BatchProgress&)>& progress_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<detail::SerialStream> serials_;
  std::optional<PayloadTemplate> tpl_;
  std::optional<Design> design_;
  OutputInfo info_;
  int version_ = 0;
  int jobs_ = 1;
  std::size_t total_ = 0, resumed_ = 0, done_ = 0, remade_ = 0;
  detail::SheetLayout layout_;
  std::size_t per_page_ = 0, per_file_ = 0;
  int name_width_ = 6;
  int manifest_fd_ = -1;
  // The flock on out_dir for the whole run (lock_run_dir); closed, so released, with the
  // Run, also when its constructor throws.
  struct LockFd {
    int fd = -1;
    LockFd& operator=(int f) {
      fd = f;
      return *this;
    }
    ~LockFd() {
      if (fd >= 0) ::close(fd);
    }
  } lock_fd_;
  bool create_dir_ = false;  // --out-dir does not exist yet: made before the first file
};

}  // namespace

BatchSummary run_batch(const Design& design, const BatchOptions& options,
                       const std::function<void(const BatchProgress&)>& progress) {
  BatchOptions resolved = options;
  if (!resolved.format) resolved.format = resolved.sheet ? Format::pdf : Format::png;
  Run run(design, resolved, progress);
  return run.run();
}

}  // namespace viscode
