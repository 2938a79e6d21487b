# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P EmbedText.cmake
# Writes a C++ file defining `extern const std::string_view gavel::detail::<SYMBOL>` with INPUT's text.
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace gavel::detail {\nstatic const char kData[] = {${bytes} 0};\n"
  "extern const std::string_view ${SYMBOL}(kData, sizeof(kData) - 1);\n}\n")
