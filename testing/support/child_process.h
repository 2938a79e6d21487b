// Runs a program as a child process with a chosen environment, its output in files, for the
// Lambda tests, the cold-start benchmark and the soak test: the real bootstrap against the
// stand-in Runtime API, and `gavel lambda-local`; and reads the child's memory figures.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace gavel::lambda::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of `text` (without their "\n").
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A field of /proc/<pid>/status in kB ("VmRSS", "VmHWM", ...); nullopt when it cannot be read
// (the process has ended, or the field is not there).
inline std::optional<long> ProcStatusKb(pid_t pid, const std::string& field) {
  const std::string prefix = field + ":";
  for (const std::string& line : Lines(ReadFile("/proc/" + std::to_string(pid) + "/status"))) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return std::nullopt;
}

class ChildProcess {
 public:
  // Starts `program` with `args`; the environment is this process's, minus every variable
  // named in `env` and every variable starting with "GAVEL_", "AWS_", "_HANDLER" or
  // "LAMBDA_TASK_ROOT", plus the `env` entries with a value. Standard output and error go to
  // `out_file` and `err_file`.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::optional<std::string>>& env, const std::string& out_file,
               const std::string& err_file, const std::string& cwd = "")
      : out_file_(out_file), err_file_(err_file) {
    std::vector<std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      if (env.count(name) == 1 || name.rfind("GAVEL_", 0) == 0 || name.rfind("AWS_", 0) == 0 || name == "_HANDLER" ||
          name == "LAMBDA_TASK_ROOT") {
        continue;
      }
      vars.push_back(entry);
    }
    for (const auto& [name, value] : env) {
      if (value) vars.push_back(name + "=" + *value);
    }
    std::vector<char*> envp;
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_text = {program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    started_ = std::chrono::steady_clock::now();
    spawn_error_ = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error_ != 0) {
      pid_ = -1;
      return;
    }
    waiter_ = std::thread([this] {
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      std::lock_guard<std::mutex> lock(mutex_);
      status_ = status;
      ended_ = std::chrono::steady_clock::now();
      done_.notify_all();
    });
  }
  ~ChildProcess() {
    if (pid_ > 0 && !Wait(std::chrono::seconds(0))) ::kill(pid_, SIGKILL);
    if (waiter_.joinable()) waiter_.join();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Waits for the process to end, at most `timeout`; true when it has.
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return done_.wait_for(lock, timeout, [&] { return status_.has_value(); });
  }
  // The exit code after a successful Wait: -signal when a signal ended it.
  int exit_code() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!status_) return -1000;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -WTERMSIG(*status_);
  }
  std::chrono::steady_clock::time_point started_at() const { return started_; }
  std::string out() const { return ReadFile(out_file_); }
  std::string err() const { return ReadFile(err_file_); }

 private:
  std::string out_file_, err_file_;
  pid_t pid_ = -1;
  int spawn_error_ = 0;
  std::chrono::steady_clock::time_point started_, ended_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<int> status_;
  std::thread waiter_;
};

}  // namespace gavel::lambda::testing
