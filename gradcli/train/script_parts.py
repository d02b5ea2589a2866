"""The parts of an exported PyTorch script that are the same for every config (export.py adds the rest).

They are text, not code gradcli runs itself: they use the names the config-specific parts define
(VALIDATION, BATCH_SIZE, LOSS, make_optimizer, metrics, should_stop, ...). Each mirrors a piece of
gradcli.train (data.py's split and BatchStream, loop.py's loop) step for step, so the draws line up.
"""

DATA_HELPERS = '''
def split_and_scale(x, y):
    """Hold out VALIDATION of the samples (one torch.randperm draw) and standardise with the training
    set's statistics, in float64 as gradcli does."""
    x_val = y_val = None
    n = x.shape[0]
    if VALIDATION > 0:
        n_val = max(1, int(round(n * VALIDATION)))
        perm = torch.randperm(n)
        x_val, y_val = x[perm[:n_val]], y[perm[:n_val]]
        x, y = x[perm[n_val:]], y[perm[n_val:]]
    if STANDARDIZE:
        train = x.numpy().astype(np.float64)
        mean, std = train.mean(0), train.std(0)
        std[std == 0] = 1.0  # a constant feature stays constant instead of becoming nan
        x = torch.from_numpy(((train - mean) / std).astype(np.float32))
        if x_val is not None:
            x_val = torch.from_numpy(((x_val.numpy().astype(np.float64) - mean) / std).astype(np.float32))
    return x, y, x_val, y_val


class Batches:
    """Each step's batch as indices into the training set: consecutive slices of an order drawn anew at
    every pass (torch.randperm); None for the whole set, which draws nothing."""

    def __init__(self, n):
        self.n = n
        self.full = BATCH_SIZE is None or BATCH_SIZE >= n
        self.size = n if self.full else BATCH_SIZE
        self.shuffle = SHUFFLE and not self.full
        self.per_pass = math.ceil(n / self.size)
        self.order = None
        self.cursor = n  # the first call starts a pass

    def next(self):
        if self.full:
            return None
        if self.cursor >= self.n:
            self.order = torch.randperm(self.n) if self.shuffle else torch.arange(self.n)
            self.cursor = 0
        idx = self.order[self.cursor:self.cursor + self.size]
        self.cursor += self.size
        return idx
'''

LOOP = '''
# ---- training ----
def train_step(net, optimizer, x, y, idx, distributed):
    """One optimizer step on the batch `idx` (None: all of x); returns the batch's loss, or the
    non-finite loss without stepping.

    Under torchrun each process takes every world_size-th sample of the batch and computes LOSS_SUM
    of its share (divided by the batch size for a mean). DistributedDataParallel averages the
    processes' gradients in backward(), so the share is multiplied by world_size: the average is then
    the whole batch's gradient, whatever the sizes of the shares."""
    if idx is not None:
        idx = idx.to(x.device)
    if not distributed:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        loss = LOSS(predict(net, xb, yb), yb)
        value = loss.item()
    else:
        rank, world = dist.get_rank(), dist.get_world_size()
        n = x.shape[0] if idx is None else idx.shape[0]
        mine = torch.arange(rank, n, world, device=x.device)
        if idx is not None:
            mine = idx[mine]
        xb, yb = x[mine], y[mine]
        share = LOSS_SUM(predict(net, xb, yb), yb) / (n if LOSS_IS_MEAN else 1)
        total = share.detach().clone()
        dist.all_reduce(total)  # the whole batch's loss, the same on every process
        value = total.item()
        loss = share * world
    if not math.isfinite(value):
        return value
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return value


def fit(model, data, device, total, lr=LR, max_steps=None, on_row=None, on_step=None, on_unit=None):
    """Train for `total` units as `gradcli train` does; returns {status, reason, units, steps}.

    The row of unit u holds the metrics after u units, computed before unit u's update; STOP_WHEN is
    checked after that update; the last row is the final parameters. on_row(row), on_step(step, loss)
    and on_unit(units_done, status, reason) (status None until the last unit) are called along the way (printing here; gradcli's run directory
    under `gradcli train --backend torch`)."""
    x, y, x_val, y_val = [t.to(device) if t is not None else None for t in data]
    model.to(device)
    distributed = dist.is_available() and dist.is_initialized()
    net = model
    if distributed:  # keeps the processes' parameters equal by averaging gradients
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    optimizer = make_optimizer(model, lr)
    scheduler = make_scheduler(optimizer)
    batches = Batches(x.shape[0])
    steps_per_unit = batches.per_pass if UNIT == "epoch" else 1
    step, unit, status, reason = 0, 0, None, ""

    def log(u, with_val):
        row = {"unit": u, "step": step, **metrics(model, x, y)}
        if with_val and x_val is not None:
            row.update({"val_" + k: v for k, v in metrics(model, x_val, y_val).items()})
        if on_row is not None:
            on_row(row)
        return row

    while status is None:
        row = log(unit, unit % EVAL_EVERY == 0) if unit % LOG_EVERY == 0 else None
        for _ in range(steps_per_unit):
            value = train_step(net, optimizer, x, y, batches.next(), distributed)
            if not math.isfinite(value):
                reason = f"the loss became {value} at step {step} ({UNIT} {unit})"
                if ON_NONFINITE == "error":
                    raise FloatingPointError(f"{reason}; lower the learning rate or check the data")
                status = "stopped"  # the parameters stay as before that step
                break
            if on_step is not None:
                on_step(step, value)
            step += 1
            if max_steps is not None and step >= max_steps:
                return {"status": "interrupted", "reason": f"{step} steps", "units": unit, "steps": step}
        if status is None:
            if scheduler is not None:
                scheduler.step()
            unit += 1
            stop = should_stop(row, f"{UNIT} {unit - 1}") if row is not None else None
            if stop:
                status, reason = "stopped", stop
            elif unit == total:
                status, reason = "finished", f"{total} {UNIT}s"
            if status is not None:
                log(unit, True)
        if on_unit is not None:
            on_unit(unit, status, reason)
    return {"status": status, "reason": reason, "units": unit, "steps": step}
'''

DISTRIBUTED = '''
# ---- one process, or many under torchrun ----
def setup(device_name):
    """(rank, device). torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; plain
    `python train.py` sets none of them and runs one process without torch.distributed."""
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device_name == "auto":
        device_name = "cuda" if torch.cuda.is_available() else "cpu"
    if device_name == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("error: --device cuda: this PyTorch sees no CUDA device (use --device cpu, or "
                             "install a CUDA build of PyTorch)")
        device = torch.device("cuda", local_rank % torch.cuda.device_count())  # one GPU per process
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if "WORLD_SIZE" in os.environ:
        # nccl between GPUs, gloo between CPU processes; the address comes from MASTER_ADDR/MASTER_PORT
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        return dist.get_rank(), device
    return 0, device


def print_row(row):
    words = [f"{UNIT} {row['unit']}", f"step {row['step']}"]
    words += [f"{k} {v:.6g}" for k, v in row.items() if k not in ("unit", "step")]
    print("  ".join(words), flush=True)


def print_step(step, loss):
    print(f"step {step} loss {loss!r}", flush=True)
'''

MAIN = '''
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--@UNIT@", type=int, default=@TOTAL@, help="the run's length (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=LR, help="the learning rate (default: %(default)s)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="auto: CUDA when available, else the CPU")
    parser.add_argument("--steps", type=int, metavar="N", help="stop after N optimizer steps")
    parser.add_argument("--log-steps", action="store_true", help="print every step's loss")
    parser.add_argument("--save", metavar="FILE.pt", help="save the final parameters (a state_dict)")
    args = parser.parse_args()
    rank, device = setup(args.device)
    torch.manual_seed(SEED)  # every process draws the same data and the same initial parameters
    data = make_data()
    model = make_model()
    first = rank == 0  # one process prints and saves
    try:
        result = fit(model, data, device, args.@UNIT@, lr=args.lr, max_steps=args.steps,
                     on_row=print_row if first else None,
                     on_step=print_step if first and args.log_steps else None)
    except FloatingPointError as e:
        raise SystemExit(f"error: {e}")
    if first:
        print(f"{result['status']}: {result['reason']} ({result['steps']} steps)")
        if args.save:
            torch.save(model.state_dict(), args.save)
    if dist.is_available() and dist.is_initialized():
        # DistributedDataParallel sits in reference cycles: free it while its process group is alive, and
        # let every process finish, before the group is torn down (else gloo may abort the process at exit)
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
