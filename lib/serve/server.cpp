// The verification service on libmicrohttpd (docs/serve.md says why that library). Sockets
// are served by libmicrohttpd's epoll threads, where idle keep-alive connections cost no
// thread; a verification request is suspended there and handed to a bounded pool of ledger
// workers, so a slow ledger (an SQLite lock, a PostgreSQL round trip) never stalls the
// sockets of other clients. The worker resumes the connection with the answer ready.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "serve/address.hpp"
#include "serve/admin.hpp"
#include "serve/gs1_route.hpp"
#include "serve/page.hpp"
#include "serve/rate_limit.hpp"
#include "serve/shopper.hpp"
#include "serve/webhook.hpp"
#include "viscode/error.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"

namespace viscode {
namespace {

using Clock = std::chrono::steady_clock;

// One request, from its request line to its completion (libmicrohttpd's per-request
// context). The worker fills the answer while the connection is suspended.
struct Request {
  Clock::time_point start = Clock::now();
  std::string method, route = "-", serial;
  std::string uri;  // as the client sent it, query included, not unescaped (GS1 paths)
  std::string_view verdict = "-";  // always a literal: "first_scan", "ok", "busy", "limited", ...
  bool suspended = false, answered = false;
  bool headers_seen = false;  // the first call (headers in) has returned
  detail::Answer answer;
  bool reading_body = false;  // a POST <code>/place, its body being read
  std::string body;
};

struct Job {
  MHD_Connection* connection = nullptr;
  Request* request = nullptr;
  std::string path;
  detail::Format format = detail::Format::html;
  std::unique_ptr<detail::AdminRequest> admin;  // set: an authorised /admin request
  detail::Lang lang = detail::Lang::en;
  std::string cookie;                        // the reload cookie's value, if sent
  std::optional<detail::ScanTicket> reload;  // the cookie's valid ticket for this code
  std::string cookie_path;  // the URL's path, for the cookie (path may hold a query)
  bool place = false;       // POST <path>/place with this body
  std::string body;
};

Job make_job(MHD_Connection* connection, Request& r, std::string_view path, detail::Format format,
             detail::Lang lang, const char* cookie) {
  Job job;
  job.connection = connection;
  job.request = &r;
  job.path = path;
  job.format = format;
  job.lang = lang;
  job.cookie = cookie != nullptr ? cookie : "";
  return job;
}

}  // namespace

struct Server::Impl {
  ServeOptions options;
  MHD_Daemon* daemon = nullptr;
  std::uint16_t port = 0;

  std::mutex mutex;  // guards jobs, admin_jobs, admin_busy, stopping_workers
  std::condition_variable job_ready;
  std::deque<Job> jobs;
  // Admin requests wait apart and run one at a time, after any verification waiting: their
  // queries read whole tables (seconds on a large ledger), and must never hold every
  // worker while shoppers wait for verdicts.
  std::deque<Job> admin_jobs;
  bool admin_busy = false;
  bool stopping_workers = false;
  std::vector<std::thread> workers;

  std::vector<detail::Cidr> trusted_proxies;
  std::unique_ptr<detail::RateLimiter> limiter;  // null: --rate-limit off
  std::atomic<bool> warned_forwarded_for{false};

  std::unique_ptr<detail::Shopper> shopper;
  std::unique_ptr<detail::Retention> retention;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
  bool stopped = false;
  std::unique_ptr<detail::AdminAuth> admin;  // null: no admin token, /admin is 404
  std::unique_ptr<detail::Webhook> webhook;  // null: no webhook

  void worker(Ledger ledger);
  void log(const Request& r, int status);
  std::optional<detail::Answer> limit(MHD_Connection* connection, detail::Format format,
                                      detail::Lang lang);
  MHD_Result respond(MHD_Connection* connection, Request& r, const detail::Answer& answer);
  MHD_Result handle(MHD_Connection* connection, const char* url, const char* method,
                    const char* upload_data, std::size_t* upload_size, Request& r);
  MHD_Result handle_admin(MHD_Connection* connection, const char* url, const char* method,
                          Request& r, detail::Format format);
  MHD_Result enqueue(MHD_Connection* connection, Request& r, Job job);
  void stop();
};

namespace {

// Called once the request line is read, before its headers: every request is counted in
// flight and logged from here on, also one that libmicrohttpd refuses itself (431) or that
// the client leaves.
void* on_request_line(void* cls, const char* uri, MHD_Connection* /*connection*/) {
  auto* impl = static_cast<Server::Impl*>(cls);
  impl->in_flight.fetch_add(1);
  auto* r = new Request();
  r->uri = uri;
  const std::string_view path = std::string_view(uri).substr(0, std::string_view(uri).find('?'));
  r->route = detail::route_name(detail::match_route(path, impl->options.path_prefix).kind,
                                impl->options.path_prefix);
  return r;
}

void on_completed(void* cls, MHD_Connection* /*connection*/, void** context,
                  MHD_RequestTerminationCode /*toe*/) {
  auto* impl = static_cast<Server::Impl*>(cls);
  auto* r = static_cast<Request*>(*context);
  if (r != nullptr) {
    // A request libmicrohttpd answered itself (414, 431) or that the client left: status 0.
    impl->log(*r, r->answered ? r->answer.status : 0);
    delete r;
    *context = nullptr;
  }
  impl->in_flight.fetch_sub(1);
}

MHD_Result on_access(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* upload_data,
                     std::size_t* upload_data_size, void** context) {
  auto* impl = static_cast<Server::Impl*>(cls);
  auto* r = static_cast<Request*>(*context);
  if (r == nullptr) return MHD_NO;  // not from on_request_line: cannot happen
  return impl->handle(connection, url, method, upload_data, upload_data_size, *r);
}

bool has_body(MHD_Connection* connection) {
  const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
  if (length != nullptr && std::strcmp(length, "0") != 0) return true;
  return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding") != nullptr;
}

}  // namespace

void Server::Impl::log(const Request& r, int status) {
  if (!options.access_log) return;
  const double latency_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - r.start).count();
  const std::string line = fmt::format(
      "{{\"time\": {}, \"method\": {}, \"route\": {}, \"status\": {}, \"verdict\": {}, "
      "\"serial\": {}, \"latency_ms\": {:.3f}}}",
      detail::json_string(detail::log_time_now()),
      r.method.empty() ? std::string("null") : detail::json_string(r.method),
      detail::json_string(r.route), status, detail::json_string(r.verdict),
      r.serial.empty() ? std::string("null") : detail::json_string(r.serial), latency_ms);
  const std::lock_guard lock(log_mutex);
  options.access_log(line);
}

MHD_Result Server::Impl::respond(MHD_Connection* connection, Request& r,
                                 const detail::Answer& answer) {
  MHD_Response* response = MHD_create_response_from_buffer(
      answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", answer.content_type.c_str());
  MHD_add_response_header(response, "Cache-Control", "no-store");
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
  bool own_csp = false;  // the shopper's pages carry their own (images, the place script)
  for (const auto& [name, value] : answer.headers) own_csp |= name == "Content-Security-Policy";
  if (!own_csp) {
    MHD_add_response_header(response, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
  }
  for (const auto& [name, value] : answer.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  // While stopping, every answer closes its connection, so keep-alive clients go elsewhere
  // and the server settles.
  if (stopping.load()) MHD_add_response_header(response, "Connection", "close");
  r.answer.status = answer.status;
  r.answered = true;
  const MHD_Result result =
      MHD_queue_response(connection, static_cast<unsigned>(answer.status), response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result Server::Impl::handle(MHD_Connection* connection, const char* url, const char* method,
                                const char* upload_data, std::size_t* upload_size, Request& r) {
  if (r.suspended) {  // resumed by a worker: the answer is ready
    r.suspended = false;
    return respond(connection, r, r.answer);
  }
  if (r.answered) return MHD_YES;
  r.method = method;
  // No route takes a body: it is refused before it is read (which closes the connection).
  // Any other answer waits for the next call, when libmicrohttpd has the whole request:
  // an answer queued in the first call makes it close the connection after it (0.9.75),
  // which would cost every keep-alive client a new connection per request.
  const bool body = has_body(connection) || *upload_size != 0;
  if (!r.headers_seen && !body) {
    r.headers_seen = true;
    return MHD_YES;
  }
  const detail::Route route = detail::match_route(url, options.path_prefix);
  r.route = detail::route_name(route.kind, options.path_prefix);
  const detail::Format format =
      detail::wanted_format(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept"));
  const auto header = [connection](const char* name) {
    return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  };
  const detail::Lang lang = detail::lang_from_accept_language(header("Accept-Language"));
  const char* cookie =
      MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, detail::kTicketCookie);

  // The optional place of a scan: POST <code path>/place, a tiny form body, the cookie.
  std::string_view code_path;
  if (detail::is_place_path(url, options.path_prefix, &code_path)) {
    r.route = detail::route_name(detail::match_route(code_path, options.path_prefix).kind,
                                 options.path_prefix) +
              "/place";
    if (std::strcmp(method, "POST") != 0) {
      detail::Answer answer = detail::error_answer(405, detail::Format::json, lang);
      answer.headers.emplace_back("Allow", "POST");
      return respond(connection, r, answer);
    }
    if (!r.reading_body) {
      const char* length = header("Content-Length");
      if (length == nullptr || std::strlen(length) > 3 ||
          std::strtoul(length, nullptr, 10) > detail::kMaxPlaceBody) {
        return respond(connection, r, detail::error_answer(413, detail::Format::json, lang));
      }
      r.reading_body = true;
      return MHD_YES;
    }
    if (*upload_size != 0) {
      if (r.body.size() + *upload_size <= detail::kMaxPlaceBody)
        r.body.append(upload_data, *upload_size);
      *upload_size = 0;
      return MHD_YES;
    }
    // A GS1 code's ticket was sealed with its scan path, signature included: the page's
    // script posts to <path>/place?<the page's query>, and the same scan path is rebuilt.
    std::string gs1_path;
    if (detail::is_gs1_route(detail::match_route(code_path, options.path_prefix).kind)) {
      const std::size_t query = r.uri.find('?');
      std::string_view raw = std::string_view(r.uri).substr(0, query);
      if (raw.ends_with("/place")) raw.remove_suffix(6);
      gs1_path = detail::gs1_scan_path(std::string(raw) +
                                       (query == std::string::npos ? "" : r.uri.substr(query)));
    }
    Job job = make_job(connection, r, gs1_path.empty() ? code_path : std::string_view(gs1_path),
                       detail::Format::json, lang, cookie);
    job.place = true;
    job.body = std::move(r.body);
    return enqueue(connection, r, std::move(job));
  }

  if (body) {
    *upload_size = 0;
    return respond(connection, r, detail::error_answer(413, format, lang));
  }
  const bool get = std::strcmp(method, "GET") == 0, head = std::strcmp(method, "HEAD") == 0;
  if (admin && detail::is_admin_path(url)) return handle_admin(connection, url, method, r, format);
  if (route.kind == detail::RouteKind::none) {
    // Under the prefix, the shopper holds something that looks like this brand's code: the
    // forged page in their language, nothing recorded. Elsewhere a plain 404.
    if (std::string_view(url).starts_with(options.path_prefix)) {
      r.verdict = "malformed";
      return respond(connection, r, detail::malformed_answer(format, lang));
    }
    return respond(connection, r, detail::error_answer(404, format, lang));
  }
  // HEAD never runs a scan (link previews and prefetches must not count as the first one);
  // only /healthz answers it.
  const bool allowed = get || (head && route.kind == detail::RouteKind::healthz);
  if (!allowed) {
    detail::Answer answer = detail::error_answer(405, format, lang);
    answer.headers.emplace_back("Allow",
                                route.kind == detail::RouteKind::healthz ? "GET, HEAD" : "GET");
    return respond(connection, r, answer);
  }
  if (route.kind == detail::RouteKind::healthz) {
    r.verdict = "ok";
    return respond(connection, r, detail::healthz_answer());
  }

  // Link previews, crawlers and prefetches: a neutral page, never a scan.
  if (detail::is_preview_agent(header("User-Agent") ? header("User-Agent") : "") ||
      detail::is_prefetch(header)) {
    r.verdict = "preview";
    return respond(connection, r, detail::preview_answer(format, lang));
  }

  // A GS1 Digital Link path goes to the scan as batch wrote it (gs1_route.hpp); the reload
  // cookie's Path is the URL's path.
  Job job =
      make_job(connection, r, detail::is_gs1_route(route.kind) ? detail::gs1_scan_path(r.uri) : url,
               format, lang, cookie);
  job.cookie_path = r.uri.substr(0, r.uri.find('?'));  // as the browser sees it: escaped

  // A reload (a valid cookie for this code) records nothing: it never uses up the shopper's
  // allowance, however often they reload.
  job.reload = shopper->reload_ticket(job.cookie, job.path);
  if (limiter && detail::rate_limited(route.kind) && !job.reload) {
    if (std::optional<detail::Answer> refused = limit(connection, format, lang)) {
      r.verdict = "limited";
      return respond(connection, r, *refused);
    }
  }
  return enqueue(connection, r, std::move(job));
}

// Every /admin request is checked against the token here, on the I/O thread, before
// anything else: nothing of the admin, not even whether a path exists, shows without it.
// An authorised GET goes to a ledger worker like a verification.
MHD_Result Server::Impl::handle_admin(MHD_Connection* connection, const char* url,
                                      const char* method, Request& r, detail::Format format) {
  r.route = detail::admin_route_name(url);
  if (!admin->check(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization"))) {
    r.verdict = "denied";
    return respond(connection, r, detail::admin_unauthorized(format));
  }
  if (std::strcmp(method, "GET") != 0) {
    return respond(connection, r, detail::admin_method_not_allowed(format));
  }
  auto request = std::make_unique<detail::AdminRequest>();
  request->path = url;
  if (const char* batch = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "batch"))
    request->batch = batch;
  if (const char* limit = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "limit")) {
    request->limit = limit;
    request->has_limit = true;
  }
  Job job = make_job(connection, r, url, format, detail::Lang::en, nullptr);
  job.admin = std::move(request);
  return enqueue(connection, r, std::move(job));
}

// A verification, a place or an admin request: to a worker, with the connection suspended
// until it answers.
MHD_Result Server::Impl::enqueue(MHD_Connection* connection, Request& r, Job job) {
  const detail::Format format = job.format;
  std::deque<Job>& queue = job.admin ? admin_jobs : jobs;
  const std::size_t max_waiting = job.admin ? detail::kMaxAdminQueued : options.max_queued;
  std::unique_lock lock(mutex);
  if (queue.size() >= max_waiting || stopping_workers) {
    lock.unlock();
    r.verdict = "busy";
    detail::Answer answer = detail::error_answer(503, format, job.lang);
    answer.headers.emplace_back("Retry-After", "1");
    return respond(connection, r, answer);
  }
  MHD_suspend_connection(connection);
  r.suspended = true;
  queue.push_back(std::move(job));
  lock.unlock();
  job_ready.notify_one();
  return MHD_YES;
}

// The client's token, or the 429 that refuses it (nothing recorded).
std::optional<detail::Answer> Server::Impl::limit(MHD_Connection* connection, detail::Format format,
                                                  detail::Lang lang) {
  const detail::RequestClient client = detail::client_of(connection, trusted_proxies);
  if (client.ignored_forwarded_for && options.access_log && !warned_forwarded_for.exchange(true)) {
    const std::lock_guard lock(log_mutex);
    options.access_log(fmt::format(
        "{{\"time\": {}, \"warning\": \"X-Forwarded-For came from a peer not given to "
        "--trust-proxy and was ignored: the peer is the client for the rate limit. Behind a "
        "reverse proxy, give its address with --trust-proxy\"}}",
        detail::json_string(detail::log_time_now())));
  }
  const std::chrono::seconds wait = limiter->take(client.address, Clock::now());
  if (wait.count() == 0) return std::nullopt;
  detail::Answer answer = detail::error_answer(429, format, lang);
  answer.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return answer;
}

void Server::Impl::worker(Ledger ledger) {
  for (;;) {
    std::unique_lock lock(mutex);
    const auto admin_ready = [&] { return !admin_jobs.empty() && !admin_busy; };
    job_ready.wait(lock, [&] { return stopping_workers || !jobs.empty() || admin_ready(); });
    // Stopping, and nothing left for this worker: every taken scan is recorded (a worker
    // running an admin request serves the admin requests still waiting).
    if (jobs.empty() && !admin_ready()) return;
    std::deque<Job>& queue = jobs.empty() ? admin_jobs : jobs;
    Job job = std::move(queue.front());
    queue.pop_front();
    if (job.admin) admin_busy = true;
    lock.unlock();

    Request& r = *job.request;
    try {
      if (job.admin) {
        r.answer = detail::admin_answer(ledger, *job.admin, options.keys);
      } else if (job.place) {
        r.answer = shopper->place(ledger, job.path, job.body, job.lang, job.cookie, r.verdict);
      } else {
        ScanResult result;  // a scan recorded now (not a reload)
        r.answer = shopper->scan(ledger, job.path, job.cookie_path, job.format, job.lang,
                                 job.reload, r.verdict, r.serial, &result);
        if (webhook && result.verdict == ScanVerdict::seen_before) {
          webhook->post(
              detail::possible_copy_event(
                  result, result.authentication ? result.authentication->product : "", ""),
              result.serial);
        }
      }
    } catch (const std::exception& e) {
      r.verdict = "error";
      r.answer = detail::error_answer(500, job.format, job.lang);
      if (options.access_log) {
        const std::lock_guard log_lock(log_mutex);
        options.access_log(fmt::format("{{\"time\": {}, \"error\": {}}}",
                                       detail::json_string(detail::log_time_now()),
                                       detail::json_string(e.what())));
      }
    }
    if (job.admin) {
      {
        const std::lock_guard admin_lock(mutex);
        admin_busy = false;
      }
      job_ready.notify_all();
    }
    MHD_resume_connection(job.connection);
  }
}

void Server::Impl::stop() {
  if (stopped) return;
  stopped = true;
  const auto started = Clock::now();
  stopping.store(true);
  if (daemon != nullptr) {
    // Stop accepting; connections already open go on until they are answered.
    const MHD_socket listener = MHD_quiesce_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET) close(listener);
    const auto deadline = Clock::now() + options.stop_timeout;
    while (in_flight.load() > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // Workers finish every scan they were given (and resume its connection) before leaving.
  {
    const std::lock_guard lock(mutex);
    stopping_workers = true;
  }
  job_ready.notify_all();
  for (std::thread& t : workers) t.join();
  workers.clear();
  // Every possible-copy event is queued now; deliver them in what is left of stop_timeout.
  if (webhook) webhook->stop(started + options.stop_timeout);
  retention.reset();
  if (daemon != nullptr) {
    // Let resumed connections send their answers, within what is left of the deadline.
    const auto deadline = Clock::now() + std::chrono::milliseconds(500);
    while (in_flight.load() > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    MHD_stop_daemon(daemon);
    daemon = nullptr;
  }
}

namespace {

void check_serve_admin_options(const ServeOptions& o) {
  const auto bad = [](const std::string& message) { throw Error(ErrorCategory::usage, message); };
  if (!o.webhook_url.empty()) detail::check_webhook_url(o.webhook_url);
  if (o.webhook_url.empty() && !o.webhook_secret_file.empty()) {
    bad("ServeOptions.webhook_secret_file signs the webhook's POSTs: give "
        "ServeOptions.webhook_url URL too, or drop it");
  }
  if (o.webhook_queue < 1 || o.webhook_queue > 1000000) {
    bad(fmt::format("webhook_queue {} is out of range: give 1 to 1000000", o.webhook_queue));
  }
  if (o.webhook_attempts < 1 || o.webhook_attempts > 100) {
    bad(fmt::format("webhook_attempts {} is out of range: give 1 to 100", o.webhook_attempts));
  }
  if (o.webhook_timeout.count() < 1 || o.webhook_timeout.count() > 300) {
    bad(fmt::format("webhook_timeout {} s is out of range: give 1 to 300 s",
                    o.webhook_timeout.count()));
  }
  if (o.webhook_retry_first.count() < 10 || o.webhook_retry_first.count() > 60000) {
    bad(fmt::format("webhook_retry_first {} ms is out of range: give 10 to 60000 ms",
                    o.webhook_retry_first.count()));
  }
  if (o.webhook_retry_max.count() < 1 || o.webhook_retry_max.count() > 3600 ||
      o.webhook_retry_max < o.webhook_retry_first) {
    bad(
        fmt::format("webhook_retry_max {} s is out of range: give 1 to 3600 s, not under "
                    "webhook_retry_first",
                    o.webhook_retry_max.count()));
  }
}

}  // namespace

void check_serve_options(const ServeOptions& o) {
  const auto bad = [](const std::string& message) { throw Error(ErrorCategory::usage, message); };
  if (o.db.empty()) bad("serve needs a ledger: give ServeOptions.db with the ledger's file or URL");
  if (o.keys.empty()) {
    bad("serve needs the brand's public key: give ServeOptions.keys (old keys too)");
  }
  detail::parse_listen(o.listen);
  for (const std::string& proxy : o.trust_proxy) detail::parse_trusted_proxy(proxy);
  if (o.rate_limit > 100000) {
    bad(fmt::format(
        "ServeOptions.rate_limit {}/min is out of range: give 1/min to 100000/min, or off",
        o.rate_limit));
  }
  if (o.rate_limit_clients < 1 || o.rate_limit_clients > 10000000) {
    bad(fmt::format("rate_limit_clients {} is out of range: give 1 to 10000000",
                    o.rate_limit_clients));
  }
  if (o.threads < 1 || o.threads > 256) {
    bad(fmt::format("ServeOptions.threads {} is out of range: give 1 to 256 ledger workers",
                    o.threads));
  }
  if (o.io_threads < 1 || o.io_threads > 64) {
    bad(fmt::format("io_threads {} is out of range: give 1 to 64", o.io_threads));
  }
  if (o.max_queued < 1 || o.max_queued > 100000) {
    bad(fmt::format("max_queued {} is out of range: give 1 to 100000", o.max_queued));
  }
  if (o.max_connections < 1 || o.max_connections > 100000) {
    bad(fmt::format("max_connections {} is out of range: give 1 to 100000", o.max_connections));
  }
  if (o.max_request_bytes < 4096 || o.max_request_bytes > 1048576) {
    bad(fmt::format("max_request_bytes {} is out of range: give 4096 to 1048576",
                    o.max_request_bytes));
  }
  if (o.read_timeout.count() < 1 || o.read_timeout.count() > 3600) {
    bad(fmt::format("read_timeout {} s is out of range: give 1 to 3600 s", o.read_timeout.count()));
  }
  if (o.stop_timeout.count() < 0 || o.stop_timeout.count() > 600) {
    bad(fmt::format("stop_timeout {} s is out of range: give 0 to 600 s", o.stop_timeout.count()));
  }
  check_serve_admin_options(o);
  if (o.path_prefix.size() < 1 || o.path_prefix.front() != '/' || o.path_prefix.back() != '/' ||
      o.path_prefix.find_first_of("?#%") != std::string::npos) {
    bad("path_prefix '" + o.path_prefix +
        "' must start and end with '/' and hold no '?', '#' or '%', e.g. /a/");
  }
  detail::check_shopper_options(o);
}

Server Server::start(const ServeOptions& options) {
  check_serve_options(options);
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const detail::ListenAddress addr = detail::parse_listen(options.listen);
  for (const std::string& proxy : options.trust_proxy) {
    impl->trusted_proxies.push_back(detail::parse_trusted_proxy(proxy));
  }
  if (options.rate_limit > 0) {
    impl->limiter =
        std::make_unique<detail::RateLimiter>(options.rate_limit, options.rate_limit_clients);
  }
  impl->shopper = std::make_unique<detail::Shopper>(impl->options);  // reads --products
  impl->retention =
      std::make_unique<detail::Retention>(impl->options, [p = impl.get()](std::string_view line) {
        if (!p->options.access_log) return;
        const std::lock_guard lock(p->log_mutex);
        p->options.access_log(line);
      });

  // The admin token and the webhook's secret are read now: a bad file stops the start.
  if (!options.admin_token_file.empty()) {
    impl->admin = std::make_unique<detail::AdminAuth>(detail::read_secret_file(
        options.admin_token_file, "admin token", "ServeOptions.admin_token_file"));
  }
  if (!options.webhook_url.empty()) {
    detail::WebhookOptions w;
    w.url = options.webhook_url;
    if (!options.webhook_secret_file.empty()) {
      w.secret = detail::read_secret_file(options.webhook_secret_file, "webhook secret",
                                          "ServeOptions.webhook_secret_file");
    }
    w.max_queued = options.webhook_queue;
    w.attempts = options.webhook_attempts;
    w.timeout = options.webhook_timeout;
    w.retry_first = options.webhook_retry_first;
    w.retry_max = options.webhook_retry_max;
    if (options.access_log) {
      w.log = [p = impl.get()](std::string_view line) {
        const std::lock_guard lock(p->log_mutex);
        p->options.access_log(line);
      };
    }
    impl->webhook = std::make_unique<detail::Webhook>(std::move(w));
  }

  // One ledger connection per worker, opened before listening, so that a missing ledger
  // stops the start with its message rather than failing every request.
  std::vector<Ledger> ledgers;
  for (int i = 0; i < options.threads; ++i) ledgers.push_back(Ledger::open(options.db));
  for (Ledger& ledger : ledgers) {
    impl->workers.emplace_back(
        [p = impl.get(), l = std::move(ledger)]() mutable { p->worker(std::move(l)); });
  }

  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
  // [::] takes IPv4 too (one dual-stack socket); [::1] and other IPv6 addresses IPv6 only.
  if (addr.v6) flags |= addr.any_v6 ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
  impl->daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &on_access, impl.get(), MHD_OPTION_SOCK_ADDR, &addr.storage,
      MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(options.io_threads),
      MHD_OPTION_CONNECTION_LIMIT, options.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(options.read_timeout.count()), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      options.max_request_bytes, MHD_OPTION_URI_LOG_CALLBACK, &on_request_line, impl.get(),
      MHD_OPTION_NOTIFY_COMPLETED, &on_completed, impl.get(), MHD_OPTION_END);
  if (impl->daemon == nullptr) {
    const int err = errno;
    impl->stop();
    throw Error(
        ErrorCategory::input,
        "cannot listen on " + options.listen + " (" + std::strerror(err) +
            "): choose a free port and an address of this machine with ServeOptions.listen");
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(impl->daemon, MHD_DAEMON_INFO_BIND_PORT);
  impl->port = info != nullptr ? info->port : addr.port;
  return Server(std::move(impl));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::Server(Server&&) noexcept = default;
Server& Server::operator=(Server&& other) noexcept {
  if (this != &other) {
    stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Server::~Server() {
  stop();
}

std::uint16_t Server::port() const {
  return impl_ ? impl_->port : 0;
}

void Server::stop() {
  if (impl_) impl_->stop();
}

}  // namespace viscode
