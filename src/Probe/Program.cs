Console.Error.WriteLine("monitor-probe: the command line is being built (issue 2)");
return 1;
