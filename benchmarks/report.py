"""The printed report: one table (Markdown, so it pastes into README.md) and the targets."""


def _num(value, fmt="{:,.0f}"):
    return "-" if value is None else fmt.format(value)


def _ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def format_report(result):
    cfg, dev, ver = result["config"], result["device"], result["versions"]
    base = result["baselines"]
    lines = [
        f"LeNet5, batch {cfg['batch_size']}, {cfg['n_batches']} minibatches per measurement, "
        f"median of {cfg['rounds']} interleaved rounds, data: {cfg['data']}",
        f"device: {dev['device']} ({dev['platform']}, {dev['device_kind']}); CPU: {ver['cpu_model']}, "
        f"{ver['cpus_usable']} usable cores; load average at end {ver['load_average']}",
        f"jax {ver['jax']}, jaxlib {ver['jaxlib']}, numpy {ver['numpy']}, torch {ver['torch']}, "
        f"python {ver['python']}; {result['date']}; symconv {result['symconv_source']['describe']}",
        f"ratios: to the best hand-written JAX per-minibatch step (train: {base['train']['best_jax_step']}, "
        f"eval: {base['eval']['best_jax_step']}), per round, median; 'CPU-s': the same with images per second "
        f"of process CPU time; first call: build excluded, trace + compile + 1 step (whole-epoch rows: + 1 epoch)",
        "",
        "| implementation | train img/s | train vs JAX | train vs JAX, CPU-s | eval img/s | eval vs JAX "
        "| eval vs JAX, CPU-s | train first call s (CPU-s) | eval first call s (CPU-s) "
        "| peak RSS MiB (+ during calls) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, e in result["implementations"].items():
        if not e.get("available"):
            lines.append(f"| {name}: {e['label']} | skipped: {e.get('skipped', '')} | | | | | | | | |")
            continue
        t, v, m = e["train"], e["eval"], e["memory"]
        lines.append(
            f"| {name}: {e['label']} | {_num(t['images_per_s'])} | {_ratio(t['ratio_vs_best_jax_step'])} "
            f"| {_ratio(t['cpu_ratio_vs_best_jax_step'])} "
            f"| {_num(v['images_per_s'])} | {_ratio(v['ratio_vs_best_jax_step'])} "
            f"| {_ratio(v['cpu_ratio_vs_best_jax_step'])} "
            f"| {_num(t['first_call_s'], '{:.2f}')} ({_num(t['first_call_cpu_s'], '{:.2f}')}) "
            f"| {_num(v['first_call_s'], '{:.2f}')} ({_num(v['first_call_cpu_s'], '{:.2f}')}) "
            f"| {_num(m['peak_rss_mib'])} (+{_num(m['peak_rss_above_start_mib'])}) |")
    lines += ["", "Targets:"]
    for t in result["targets"]:
        met = {True: "MET", False: "NOT MET", None: "n/a"}[t["met"]]
        value = "-" if t["value"] is None else f"{t['value']:.2f}"
        extra = f" (CPU-s {t['first_call_cpu_s']:.2f})" if t.get("first_call_cpu_s") is not None else ""
        lines.append(f"- {t['target']}: {value}{extra} (threshold {t['threshold']}) -> {met}")
    diffs = result.get("first_cost_abs_diff_vs_best_jax_step") or {}
    if diffs:
        lines.append("")
        lines.append("Same math check, |first-step cost - best JAX's|: " + ", ".join(
            f"{n} {d:.1e}" for n, d in diffs.items()))
    return "\n".join(lines)
