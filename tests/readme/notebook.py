import lrplot
from matplotlib.figure import Figure  # in a notebook: fig, ax = plt.subplots()

warm = lrplot.simulate("cosine", T_max=950, warmup=50, lr=3e-4, epochs=1000)
one = lrplot.simulate("onecycle", max_lr=3e-4, total_steps=1000)
print(warm.at(500), one.at(500))  # the lr during step 500 of each

fig = Figure(figsize=(8, 3.5), layout="constrained")
ax = fig.subplots()
lrplot.plot([warm, one], ax=ax, labels=["warmup + cosine", "one-cycle"], title="Which schedule?", log_y=False)
ax.axvline(500, color="0.3", linewidth=0.8)  # your own marks, on your own Axes
fig.savefig("notebook.png", dpi=150)
