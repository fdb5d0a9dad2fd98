using Lookalike.Onnx.Imaging.Isolation;

// Standard output carries only protocol frames; nothing else may be printed there.
return DecodeWorker.Run(Console.OpenStandardInput(), Console.OpenStandardOutput());
