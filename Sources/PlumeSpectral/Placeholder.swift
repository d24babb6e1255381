enum SpectralPlaceholder {}
