using Edgeplane.Host.Composition;

return await EdgeplaneApplication.RunAsync(args);
