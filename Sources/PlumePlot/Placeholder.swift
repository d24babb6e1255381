enum PlotPlaceholder {}
