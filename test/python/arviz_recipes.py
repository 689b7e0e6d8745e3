"""The recipes of docs/python.md, run on a run directory and its exported store.

    python3 test/python/arviz_recipes.py <run dir> <store>

Every block between a "# recipe: <name>" line and "# end recipe" appears
verbatim in docs/python.md (test/cli/export.test.ts checks it). Prints one line
"RESULT <json>": per chain observable, summary.json's ESS and R-hat and
ArviZ's ESS of the mean and rank-normalised split R-hat from chains.csv and,
when zarr is importable, from the store.
"""

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the plots are drawn and discarded
warnings.simplefilter("ignore", FutureWarning)  # ArviZ announces its 1.0 refactor on import

run = Path(sys.argv[1])
store = Path(sys.argv[2])

# recipe: summary
import json
from pathlib import Path

summary = json.loads((run / "summary.json").read_text())
assert summary["schema"] == "stochdyn.summary/1"
if summary["run"]["status"] != "completed":
    print("statistics over", summary["run"]["completedReplicas"], "of", summary["run"]["replicas"], "replicas")
diagnostics = summary["sampling"]["chains"]  # {observable: {n, chains, mean, sd, mcse, ess, rhat}}
# end recipe

# recipe: run files
import pandas as pd

traces = pd.read_csv(run / "traces.csv")
x = traces[traces.observable == "x"].set_index("time")[["mean", "q05", "q50", "q95"]]

finals = pd.read_csv(run / "finals.csv", index_col="replica")
alive = finals[finals.diverged_step.isna()]  # the replicas summary.json's statistics use

hist = json.loads((run / "histograms.json").read_text())  # one entry per observe.histograms entry
# end recipe

# recipe: chains.csv to ArviZ
import arviz as az
import pandas as pd

chains = pd.read_csv(run / "chains.csv").drop(columns="step")
posterior = chains.set_index(["replica", "sample"]).to_xarray().rename(replica="chain", sample="draw")
posterior = posterior.dropna("chain")  # without replicas that diverged (empty cells), as summary.json's diagnostics
idata = az.convert_to_inference_data(posterior)  # group posterior, dims (chain, draw)
# end recipe
from_csv = idata

# recipe: diagnostics
print(az.summary(idata))  # mean, sd, hdi, mcse, ess_bulk, ess_tail, r_hat
ess = az.ess(idata, method="mean")  # summary.json sampling.chains.<name>.ess
rhat = az.rhat(idata)  # summary.json sampling.chains.<name>.rhat
bulk = az.ess(idata)  # bulk ESS (rank-normalised), az.summary's ess_bulk
# end recipe
csv_ess, csv_rhat = ess, rhat

# recipe: plots
az.plot_trace(idata)
az.plot_rank(idata)
# end recipe
matplotlib.pyplot.close("all")

result = {
    name: {
        "csv": {"ess": float(csv_ess[name]), "rhat": float(csv_rhat[name])},
        "summary": {"ess": diagnostics[name]["ess"], "rhat": diagnostics[name]["rhat"]},
    }
    for name in diagnostics
}
if importlib.util.find_spec("zarr") is None:
    sys.stdout.write("\nRESULT " + json.dumps(result) + "\n")
    sys.exit(0)

# recipe: zarr store
import arviz as az
import xarray as xr

# store = run / "inference-data.zarr", written by: stochdyn export <run>
idata = az.from_datatree(xr.open_datatree(store, engine="zarr"))  # zarr 3; with zarr 2: az.from_zarr(str(store))
print(idata.attrs["scenario"], idata.attrs["seed"], dict(idata.posterior.sizes))
posterior = idata.posterior.dropna("chain")  # without replicas that diverged, as summary.json's diagnostics
print(az.ess(posterior, method="mean"), az.rhat(posterior))
energy = idata.sample_stats.energy  # present when energy is a chain observable
one_group = xr.open_zarr(store, group="posterior")  # one group as an xarray Dataset
# end recipe
assert one_group.sizes == idata.posterior.sizes

for name in diagnostics:
    result[name]["zarr"] = {"ess": float(az.ess(posterior, method="mean")[name]), "rhat": float(az.rhat(posterior)[name])}
sys.stdout.write("\nRESULT " + json.dumps(result) + "\n")
