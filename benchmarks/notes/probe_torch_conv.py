"""PyTorch (one thread) conv1 and conv2 of LeNet5, forward + backward, CPU-ms per call: the reference
for probe_conv2_backward.py. python benchmarks/notes/probe_torch_conv.py (needs torch)."""
import torch, time, statistics
torch.set_num_threads(1)
for name, shape, O in (("conv1", (500,1,28,28), 20), ("conv2", (500,20,12,12), 50)):
    x = (0.01*torch.rand(*shape)).requires_grad_(name=="conv2"); w = torch.rand(O, shape[1], 5, 5, requires_grad=True)
    v=[]
    for r in range(5):
        c=time.process_time()
        for _ in range(3):
            torch.tanh(torch.nn.functional.conv2d(x, w)).sum().backward()
        v.append((time.process_time()-c)/3*1e3)
    print(name, 'torch 1 thread cpu ms', statistics.median(v))
