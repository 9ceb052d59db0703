// SVG through librsvg (already what draws SVG logos), PDF through poppler's pdftoppm: the
// file a designer sends to print is the file viscode reads back.
#include "detect/vector_file.hpp"

#include <cairo.h>
#include <fcntl.h>
#include <librsvg/rsvg.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <optional>

#include "file_input.hpp"
#include "image_signature.hpp"
#include "quiet_xml.hpp"
#include "render/cairo_ptr.hpp"
#include "render/rsvg_ptr.hpp"
#include "svg_limits.hpp"
#include "viscode/error.hpp"

extern char** environ;

namespace viscode::detail {
namespace {

// What pdftoppm may take: enough for a 100-megapixel page (300 MB of RGB, measured 284 MB
// peak for a 600 dpi A3 sheet) with room to spare, and minutes of CPU (that sheet: 25 s).
constexpr std::uint64_t kPdftoppmMemoryBytes = std::uint64_t{1} << 30;
constexpr int kPdftoppmCpuSeconds = 120;
constexpr double kFitPx = 2400;  // the page's longer side when the resolution is automatic
constexpr double kMinFitDpi = 300, kMaxFitDpi = 2400;

// A limit for the child no higher than this process's own hard limit: raising it would
// fail, and a caller's tighter limit stays.
std::uint64_t lowered(int resource, std::uint64_t wanted) {
  rlimit now{};
  if (::getrlimit(resource, &now) != 0 || now.rlim_max == RLIM_INFINITY) return wanted;
  return std::min<std::uint64_t>(wanted, now.rlim_max);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The resolution for a page of w x h inches: the caller's, or the one that makes the
// longer side kFitPx pixels.
double choose_dpi(double w_in, double h_in, const ReadOptions& options) {
  if (options.vector_dpi != 0) return options.vector_dpi;
  const double longer = std::max(w_in, h_in);
  if (!(longer > 0)) return 600;
  return std::clamp(std::round(kFitPx / longer), kMinFitDpi, kMaxFitDpi);
}

void check_pixels(const std::string& name, double w, double h, double dpi,
                  const ReadOptions& options) {
  if (w * h <= options.max_megapixels * 1e6) return;
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "' at %g dpi is %.0fx%.0f pixels (%.1f megapixels), over the %.0f-megapixel "
                "limit: ",
                dpi, w, h, w * h / 1e6, options.max_megapixels);
  throw Error(
      ErrorCategory::input,
      "image '" + name + buf + "use a lower resolution or raise ReadOptions.max_megapixels");
}

using detail::one_line;
using HandleDeleter = detail::RsvgHandleDeleter;

// The first four numbers after the first /MediaBox: the page in points. Cairo's PDFs (and
// most others) keep it in plain text; compressed object streams hide it.
std::optional<cv::Rect2d> media_box(std::span<const std::uint8_t> bytes) {
  static const std::string key = "/MediaBox";
  const auto it = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
  if (it == bytes.end()) return std::nullopt;
  std::string tail(it + static_cast<std::ptrdiff_t>(key.size()),
                   it + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                            key.size() + 120, static_cast<std::size_t>(bytes.end() - it))));
  const auto open = tail.find('[');
  if (open == std::string::npos) return std::nullopt;
  double v[4];
  if (std::sscanf(tail.c_str() + open + 1, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]) != 4) {
    return std::nullopt;
  }
  if (!(v[2] > v[0]) || !(v[3] > v[1])) return std::nullopt;
  return cv::Rect2d(v[0], v[1], v[2] - v[0], v[3] - v[1]);
}

std::optional<std::string> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    // An empty entry is the current directory, as for execvp.
    const std::filesystem::path dir = end > start
                                          ? std::filesystem::path(dirs.substr(start, end - start))
                                          : std::filesystem::current_path();
    const std::string candidate = (dir / program).string();
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

// A private directory for pdftoppm's output, removed with what is in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "viscode-pdf-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(ErrorCategory::internal,
                  "cannot make a temporary directory to rasterise a PDF in (" +
                      std::string(std::strerror(errno)) + "): check TMPDIR");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string first_line_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line, out;
  while (std::getline(in, line)) {
    line = one_line(line);
    if (!line.empty()) return line;
  }
  return out;
}

}  // namespace

VectorKind vector_kind(std::span<const std::uint8_t> bytes, const std::filesystem::path& file) {
  if (bytes.size() >= 5 && std::memcmp(bytes.data(), "%PDF-", 5) == 0) return VectorKind::pdf;
  // A raster file named .svg is still a raster file.
  if (known_image_signature(bytes)) return VectorKind::none;
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".svg") return VectorKind::svg;
  const std::string head(
      bytes.begin(),
      bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(bytes.size(), 1024)));
  return head.find("<svg") != std::string::npos ? VectorKind::svg : VectorKind::none;
}

ImageFile rasterise_svg(std::span<const std::uint8_t> bytes, const std::string& name,
                        const ReadOptions& options) {
  check_svg_limits(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   "image '" + name + "'", "simplify it, or export it as PNG");
  GError* error = nullptr;
  const QuietXml quiet;
  std::unique_ptr<RsvgHandle, HandleDeleter> handle(
      rsvg_handle_new_from_data(bytes.data(), bytes.size(), &error));
  if (!handle) {
    const std::string why = one_line(error);
    if (error != nullptr) g_error_free(error);
    throw Error(ErrorCategory::input, "image '" + name + "' is not a readable SVG (" + why +
                                          "): fix the file or export it as PNG");
  }
  // At 72 dpi librsvg's pixels are points: the page's physical size.
  rsvg_handle_set_dpi(handle.get(), 72);
  gdouble w_pt = 0, h_pt = 0;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &w_pt, &h_pt) || w_pt <= 0 ||
      h_pt <= 0) {
    // No absolute width and height: the viewBox, in CSS pixels (96 per inch).
    gboolean has_w, has_h, has_vb;
    RsvgLength lw, lh;
    RsvgRectangle vb;
    rsvg_handle_get_intrinsic_dimensions(handle.get(), &has_w, &lw, &has_h, &lh, &has_vb, &vb);
    if (!has_vb || vb.width <= 0 || vb.height <= 0) {
      throw Error(ErrorCategory::input, "image '" + name +
                                            "' has no size: give the <svg> element a viewBox "
                                            "or width and height");
    }
    w_pt = vb.width * 72 / 96;
    h_pt = vb.height * 72 / 96;
  }
  const double dpi = choose_dpi(w_pt / 72, h_pt / 72, options);
  const int w = std::max(1, static_cast<int>(std::lround(w_pt / 72 * dpi)));
  const int h = std::max(1, static_cast<int>(std::lround(h_pt / 72 * dpi)));
  check_pixels(name, w, h, dpi, options);
  const SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorCategory::internal, "cannot make a " + std::to_string(w) + "x" +
                                             std::to_string(h) + " surface to draw '" + name +
                                             "' on: out of memory");
  }
  {
    const ContextPtr cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);  // white paper
    cairo_paint(cr.get());
    const RsvgRectangle viewport{0, 0, static_cast<double>(w), static_cast<double>(h)};
    if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error)) {
      const std::string why = one_line(error);
      if (error != nullptr) g_error_free(error);
      throw Error(ErrorCategory::input,
                  "image '" + name + "' could not be drawn (" + why + "): fix the SVG");
    }
  }
  cairo_surface_flush(surface.get());
  // Opaque over white, so premultiplied is straight: BGRA in memory on little endian.
  const cv::Mat argb(h, w, CV_8UC4, cairo_image_surface_get_data(surface.get()),
                     static_cast<std::size_t>(cairo_image_surface_get_stride(surface.get())));
  ImageFile out;
  cv::cvtColor(argb, out.image, cv::COLOR_BGRA2BGR);
  out.dpi = dpi;
  return out;
}

ImageFile rasterise_pdf(std::span<const std::uint8_t> bytes, const std::filesystem::path& file,
                        const ReadOptions& options) {
  const std::string name = file.string();
  const std::optional<cv::Rect2d> page = media_box(bytes);
  const double dpi =
      page ? choose_dpi(page->width / 72, page->height / 72, options) : choose_dpi(0, 0, options);
  if (page) {
    check_pixels(name, std::ceil(page->width / 72 * dpi), std::ceil(page->height / 72 * dpi), dpi,
                 options);
  }
  const std::optional<std::string> tool = find_on_path("pdftoppm");
  if (!tool) {
    throw Error(ErrorCategory::input,
                "image '" + name +
                    "' is a PDF, and reading it needs poppler's pdftoppm, which is not on PATH: "
                    "install it (sudo apt-get install poppler-utils, or scripts/install-deps) "
                    "or rasterise the page yourself (pdftoppm -r 600 -png -singlefile '" +
                    name + "' page) and give page.png");
  }
  const TempDir dir;
  const std::string prefix = (dir.path() / "page").string();
  const std::string log = (dir.path() / "log.txt").string();
  // An absolute path never starts with '-', so pdftoppm cannot take it for an option.
  const std::string input = std::filesystem::absolute(file).string();
  const std::string dpi_text = number(dpi);
  // The shell caps what pdftoppm may take before it execs it (posix_spawn cannot set
  // limits): a page's MediaBox can hide behind a decoy, and an embedded image can claim
  // billions of pixels that poppler decodes (a 1.5 MB PDF: 40 s of CPU).
  const std::string limits =
      "ulimit -v " + std::to_string(lowered(RLIMIT_AS, kPdftoppmMemoryBytes) / 1024) +
      " && ulimit -t " + std::to_string(lowered(RLIMIT_CPU, kPdftoppmCpuSeconds)) +
      " && exec \"$0\" \"$@\"";
  std::vector<std::string> args = {"sh", "-c", limits, *tool,         "-r",   dpi_text, "-f",
                                   "1",  "-l", "1",    "-singlefile", "-png", input,    prefix};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw Error(ErrorCategory::input, "cannot run " + *tool + " to rasterise '" + name + "' (" +
                                          std::strerror(spawned) +
                                          "): reinstall poppler-utils, or rasterise the page "
                                          "yourself (pdftoppm -r 600 -png -singlefile)");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw Error(ErrorCategory::internal,
                  "lost track of pdftoppm rasterising '" + name + "': " + std::strerror(errno));
    }
  }
  const std::filesystem::path png = prefix + ".png";
  std::error_code ec;
  if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)) {
    throw Error(ErrorCategory::input,
                "image '" + name + "' took pdftoppm over " + std::to_string(kPdftoppmCpuSeconds) +
                    " s of CPU to rasterise: export the page as PNG at the resolution to check");
  }
  // poppler answers an allocation it cannot make with a message and a 1x1 page, exit 0.
  const std::string said = first_line_of(log);
  if (said.find("Out of memory") != std::string::npos ||
      said.find("Bogus memory allocation") != std::string::npos) {
    throw Error(ErrorCategory::input, "image '" + name + "' needs more than the " +
                                          byte_size_text(kPdftoppmMemoryBytes) +
                                          " pdftoppm may take to rasterise (pdftoppm: " + said +
                                          "): its page or an image in it is too large; export "
                                          "the page as PNG");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(png, ec)) {
    std::string why = said;
    if (why.empty()) {
      why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                              : "stopped by signal " + std::to_string(WTERMSIG(status));
    }
    throw Error(ErrorCategory::input, "image '" + name + "' is not a readable PDF (pdftoppm: " +
                                          why + "): check the file, or export it as PNG");
  }
  // Read back like any image: its size from its header before a pixel is decoded.
  const std::string page_png = read_input_file(png, {.what = "rasterised page of image",
                                                     .give = "export the page as PNG",
                                                     .max_bytes = kMaxImageFileBytes,
                                                     .shrink = "export the page as PNG"});
  const std::span<const std::uint8_t> page_bytes(
      reinterpret_cast<const std::uint8_t*>(page_png.data()), page_png.size());
  const std::optional<ImageHeader> header = read_image_header(page_bytes);
  if (header) check_pixels(name, header->width, header->height, dpi, options);
  ImageFile out;
  if (header && header->complete) {
    out.image = decode_image(page_bytes);
    if (out.image.channels() == 4) cv::cvtColor(out.image, out.image, cv::COLOR_BGRA2BGR);
    if (out.image.channels() == 1) cv::cvtColor(out.image, out.image, cv::COLOR_GRAY2BGR);
  }
  if (out.image.empty() || out.image.depth() != CV_8U) {
    throw Error(ErrorCategory::input,
                "image '" + name + "': pdftoppm's page could not be read back: export it as PNG");
  }
  out.dpi = dpi;
  return out;
}

}  // namespace viscode::detail
