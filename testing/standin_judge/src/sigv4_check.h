// Server-side SigV4 verification for the stand-in judge's Bedrock route: recomputes the
// signature of the received request with the project's signer (gavel::judge::SignRequest) and
// compares it with the one in the Authorization header.
#pragma once

#include <chrono>
#include <string>

#include "gavel/judge/sigv4.h"
#include "http.h"

namespace gavel::standin::internal {

struct SigV4Verdict {
  bool ok = false;
  std::string reason;  // why not, in AWS's words where AWS has some; never quotes a secret
};

// Checks the Authorization header (AWS4-HMAC-SHA256, this key id, `region`, service "bedrock"),
// X-Amz-Date (present, matching the credential date, within 5 minutes of `now`), the session
// token when the credentials have one, and finally the signature over the method, wire path,
// query, signed headers and body.
SigV4Verdict VerifySigV4(const HttpRequest& request,
                         const gavel::judge::AwsCredentials& credentials, const std::string& region,
                         std::chrono::system_clock::time_point now);

}  // namespace gavel::standin::internal
