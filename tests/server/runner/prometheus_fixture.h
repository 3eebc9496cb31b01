// Real Prometheus (Debian's package) for the runner's tests: a throwaway PKI made with the
// openssl CLI, a bcrypt password from htpasswd, and prometheus processes on free 127.0.0.1
// ports with their TSDB in a temporary directory.
//
// Every process started here dies with the test binary (PR_SET_PDEATHSIG) and is stopped
// by Stop() / the destructor (SIGTERM, then SIGKILL after 3 s); the temporary directory is
// removed. Waits are bounded (kStartTimeout). Native only; not thread-safe.
#ifndef CREDVAULT_TESTS_SERVER_RUNNER_PROMETHEUS_FIXTURE_H_
#define CREDVAULT_TESTS_SERVER_RUNNER_PROMETHEUS_FIXTURE_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace credvault::testing {

inline constexpr std::chrono::seconds kStartTimeout{20};

inline std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFileText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Runs a shell command; true on exit status 0. Output goes to `log`.
inline bool Shell(const std::string& command, const std::filesystem::path& log) {
  const std::string full = "(" + command + ") >>'" + log.string() + "' 2>&1";
  return std::system(full.c_str()) == 0;
}

// A port the kernel just handed out on 127.0.0.1 (closed again: a small race, acceptable).
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/credvault-runner-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made != nullptr ? made : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// CA, server certificate (SAN localhost and 127.0.0.1), the same server key in a certificate
// that expired in 2020, a client certificate, and a second, unrelated CA. PEM files in `dir`.
inline bool MakeTestPki(const std::filesystem::path& dir) {
  const std::string d = "'" + dir.string() + "'";
  const std::filesystem::path log = dir / "openssl.log";
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  WriteFileText(dir / "server.ext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  WriteFileText(dir / "client.ext", "extendedKeyUsage=clientAuth\n");
  // `openssl x509` (3.0) cannot back-date a certificate; `openssl ca` can, with this config.
  WriteFileText(dir / "ca.cnf",
                "[ca]\ndefault_ca=tca\n[tca]\ndatabase=index.txt\nnew_certs_dir=.\n"
                "serial=serial\ndefault_md=sha256\npolicy=pol\n[pol]\ncommonName=supplied\n");
  WriteFileText(dir / "index.txt", "");
  WriteFileText(dir / "serial", "1000\n");
  return Shell("cd " + d + " && openssl req -x509 " + ec +
                   " -keyout ca.key -out ca.crt -days 2 -subj /CN=credvault-test-ca",
               log) &&
         Shell("cd " + d + " && openssl req -x509 " + ec +
                   " -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca",
               log) &&
         Shell("cd " + d + " && openssl req " + ec +
                   " -keyout server.key -out server.csr -subj /CN=localhost && openssl x509 "
                   "-req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
                   "-extfile server.ext -out server.crt",
               log) &&
         Shell("cd " + d + " && openssl req " + ec +
                   " -keyout client.key -out client.csr -subj /CN=client-1 && openssl x509 "
                   "-req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
                   "-extfile client.ext -out client.crt",
               log) &&
         Shell("cd " + d +
                   " && openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key "
                   "-in server.csr -out expired.crt -startdate 20200101000000Z "
                   "-enddate 20200102000000Z -extfile server.ext -notext",
               log);
}

// bcrypt hash of `password` for Prometheus' basic_auth_users (cost 10, as in TOOLCHAIN §6a).
inline std::string BcryptHash(const std::string& user, const std::string& password) {
  const std::string command = "htpasswd -nbB -C 10 '" + user + "' '" + password + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  const size_t colon = out.find(':');
  if (colon == std::string::npos) return "";
  std::string hash = out.substr(colon + 1);
  while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
  return hash;
}

class PrometheusProcess {
 public:
  PrometheusProcess() = default;
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;
  ~PrometheusProcess() { Stop(); }

  // Starts prometheus with `web_yml` (contents) under `dir`/`name`. False if it cannot be
  // started; Ready() then tells whether it answers.
  bool Start(const std::filesystem::path& dir, const std::string& name,
             const std::string& web_yml) {
    const std::filesystem::path home = dir / name;
    std::filesystem::create_directories(home / "data");
    WriteFileText(home / "prometheus.yml", "global: {scrape_interval: 15s}\nscrape_configs: []\n");
    WriteFileText(home / "web.yml", web_yml);
    port_ = FreePort();
    log_ = home / "prometheus.log";
    const std::string config = "--config.file=" + (home / "prometheus.yml").string();
    const std::string web = "--web.config.file=" + (home / "web.yml").string();
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    const std::string tsdb = "--storage.tsdb.path=" + (home / "data").string();
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execlp("prometheus", "prometheus", config.c_str(), web.c_str(), listen.c_str(),
               tsdb.c_str(), "--log.level=warn", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return port_ != 0;
  }

  bool Alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string Log() const { return ReadFileText(log_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path log_;
};

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_SERVER_RUNNER_PROMETHEUS_FIXTURE_H_
