{
  "targets": [
    {
      "target_name": "stochdyn",
      "sources": ["stochdyn.c", "relation-learner.c", "modular-addition.c"],
      "libraries": ["-lm"],
      "cflags!": ["-O2"],
      "cflags": ["-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
