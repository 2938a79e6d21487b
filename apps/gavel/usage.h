// What `gavel --help` and `gavel <command> --help` print, and the exit codes they promise.
//
//   std::fputs(gavel::cli::CommandUsage("score").c_str(), stdout);
//   std::fputs(gavel::cli::FullUsage().c_str(), stderr);
#pragma once

#include <string>
#include <string_view>

namespace gavel::cli {

// Exit codes of every command: one list, so that the usage text and the code agree.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;          // bad rubric, unreadable input, failed dry run
inline constexpr int kExitUsage = 2;           // the command line is wrong
inline constexpr int kExitGateFailed = 3;      // bench / judge-eval: a threshold or case failed
inline constexpr int kExitTooManyFailed = 4;   // score: more samples failed than --max-error-rate

// A command that has written everything it owes returns through this. When a worker thread is
// still stuck in native code past a deadline (the engine answered for its samples), the
// process says so and ends at once with `code`: returning would run static destructors under a
// thread that may still be inside them.
int Finish(int code);

// The usage of one command ("score", "check", ...) with the exit codes; "" for an unknown one.
std::string CommandUsage(std::string_view command);
// The usage of every command, with the exit codes.
std::string FullUsage();

}  // namespace gavel::cli
