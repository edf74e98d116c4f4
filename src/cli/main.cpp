// kdive's command-line entry point: argument parsing and dispatch to subcommands.
// Analysis lives in the library; each command here is a thin call into it.
#include <cstdio>

#include "kdive/error.h"

int main(int argc, char** argv) {
  std::fprintf(stderr, "kdive: not implemented yet\n");
  return 1;
}
