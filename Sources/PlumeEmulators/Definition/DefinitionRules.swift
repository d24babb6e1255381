/// The value checks of a decoded model definition: ranges, enumerations, and variables that
/// the processing needs. Each issue carries its key path; `ModelFile` adds the line.
enum DefinitionRules {
    static func check(_ d: ModelDefinition) -> [DefinitionIssue] {
        var issues: [DefinitionIssue] = []
        func fail(_ path: String, _ message: String) { issues.append(DefinitionIssue(line: nil, path: path, message: message)) }

        if d.name.isEmpty { fail("name", "must not be empty") }
        if d.levels < 1 { fail("levels", "must be at least 1, found \(d.levels)") }
        if !(d.timeStepHours > 0) { fail("time_step_hours", "must be positive, found \(d.timeStepHours)") }

        let v = d.variables
        if v.prognostic.isEmpty { fail("variables.prognostic", "needs at least one variable") }
        var seen: [String: String] = [:]
        for (role, names) in [("prognostic", v.prognostic), ("forcing", v.forcing), ("static", v.static)] {
            for (i, name) in names.enumerated() {
                if let other = seen[name] {
                    fail("variables.\(role)[\(i)]", "'\(name)' is already listed under \(other)")
                }
                seen[name] = seen[name] ?? role
            }
        }
        if Set(v.computed).count != v.computed.count { fail("variables.computed", "lists an input twice") }

        let p = d.processing
        if !["scale", "shift", "none"].contains(p.massFixer) {
            fail("processing.mass_fixer", "expected scale, shift or none, found '\(p.massFixer)'")
        }
        if !ModelDefinition.Processing.physicsPriors.contains(p.physicsPrior) {
            fail("processing.physics_prior", "expected \(ModelDefinition.Processing.physicsPriors.joined(separator: " or ")), found '\(p.physicsPrior)'")
        } else if p.usesPhysicsPrior, d.task != .transport {
            fail("processing.physics_prior", "'\(p.physicsPrior)' is a transport model: only a transport emulator can use it")
        } else if p.usesPhysicsPrior, v.prognostic != [p.tracer] {
            fail("processing.physics_prior", "the reference transport advances the tracer '\(p.tracer)' alone: make it the only prognostic variable")
        }
        let substeps = d.timeStepHours / p.physicsPriorStepHours
        if p.usesPhysicsPrior, !(p.physicsPriorStepHours > 0) || abs(substeps - substeps.rounded()) > 1e-9 || substeps < 1 {
            fail("processing.physics_prior_step_hours", "must be a positive whole divisor of time_step_hours (\(d.timeStepHours)), found \(p.physicsPriorStepHours)")
        }
        if d.task == .transport {
            if !v.prognostic.contains(p.tracer) {
                fail("variables.prognostic", "a transport model predicts its tracer '\(p.tracer)' (processing.tracer): list it here")
            }
            if p.massFixer != "none" || p.surfaceFlux, !v.forcing.contains(p.airMass) {
                fail("variables.forcing", "the mass fixer and the surface flux need the air mass '\(p.airMass)' (processing.air_mass) as a forcing")
            }
            if p.surfaceFlux {
                for flux in p.fluxes where !v.forcing.contains(flux) {
                    fail("variables.forcing", "the surface-flux scheme needs '\(flux)' (processing.fluxes) as a forcing")
                }
            }
        }

        switch d.architecture {
        case .unet(let c):
            if c.embed < 1 { fail("architecture.embed", "must be at least 1, found \(c.embed)") }
            if c.depth < 0 || c.depth > 6 { fail("architecture.depth", "expected 0 … 6, found \(c.depth)") }
            if c.blocks < 1 { fail("architecture.blocks", "must be at least 1, found \(c.blocks)") }
            if !(c.resize.isEmpty || (c.resize.count == 2 && c.resize.allSatisfy { $0 > 0 })) {
                fail("architecture.resize", "expected [] or [lat, lon] with positive sizes, found \(c.resize)")
            }
            if !UNetConfiguration.latitudePaddings.contains(c.latitudePadding) {
                fail("architecture.latitude_padding",
                     "expected one of \(UNetConfiguration.latitudePaddings.joined(separator: ", ")), found '\(c.latitudePadding)'")
            }
        case .meshGNN(let c):
            if c.hidden < 1 { fail("architecture.hidden", "must be at least 1, found \(c.hidden)") }
            if c.processorSteps < 0 { fail("architecture.processor_steps", "must not be negative, found \(c.processorSteps)") }
            if c.meshLevel < 0 || c.meshLevel > 6 { fail("architecture.mesh_level", "expected 0 … 6, found \(c.meshLevel)") }
            if !["sum", "mean"].contains(c.aggregation) {
                fail("architecture.aggregation", "expected sum or mean, found '\(c.aggregation)'")
            }
        case .swin(let c):
            if c.embed < 1 { fail("architecture.embed", "must be at least 1, found \(c.embed)") }
            if c.depth < 1 { fail("architecture.depth", "must be at least 1, found \(c.depth)") }
            if c.heads < 1 || c.embed % max(c.heads, 1) != 0 {
                fail("architecture.heads", "must divide embed \(c.embed), found \(c.heads)")
            }
            if c.window.count != 2 || !c.window.allSatisfy({ $0 > 0 }) {
                fail("architecture.window", "expected [lat, lon] with positive sizes, found \(c.window)")
            }
            if c.patch.count != 2 || !c.patch.allSatisfy({ $0 > 0 }) {
                fail("architecture.patch", "expected [lat, lon] with positive sizes, found \(c.patch)")
            }
            if !(c.mlpRatio > 0) { fail("architecture.mlp_ratio", "must be positive, found \(c.mlpRatio)") }
        }

        let t = d.training
        if t.batchSize < 1 { fail("training.batch_size", "must be at least 1, found \(t.batchSize)") }
        if t.steps < 0 { fail("training.steps", "must not be negative, found \(t.steps)") }
        if !(t.learningRate > 0) { fail("training.learning_rate", "must be positive, found \(t.learningRate)") }
        if !(t.minLearningRate >= 0 && t.minLearningRate <= t.learningRate) {
            fail("training.min_learning_rate", "expected 0 … learning_rate, found \(t.minLearningRate)")
        }
        if t.warmupSteps < 0 { fail("training.warmup_steps", "must not be negative, found \(t.warmupSteps)") }
        if !(t.weightDecay >= 0) { fail("training.weight_decay", "must not be negative, found \(t.weightDecay)") }
        if t.betas.count != 2 || !t.betas.allSatisfy({ $0 >= 0 && $0 < 1 }) {
            fail("training.betas", "expected two values in [0, 1), found \(t.betas)")
        }
        if !(t.gradientClip > 0) { fail("training.gradient_clip", "must be positive, found \(t.gradientClip)") }
        if !(t.spectralLossWeight >= 0) { fail("training.spectral_loss_weight", "must not be negative") }
        if !(t.inputNoise >= 0 && t.inputNoise.isFinite) { fail("training.input_noise", "must be a finite number ≥ 0, found \(t.inputNoise)") }
        if t.validateEvery < 0 { fail("training.validate_every", "must not be negative, found \(t.validateEvery)") }
        if t.validationSteps < 1 { fail("training.validation_steps", "must be at least 1, found \(t.validationSteps)") }
        if t.checkpointEvery < 1 { fail("training.checkpoint_every", "must be at least 1, found \(t.checkpointEvery)") }
        if !(t.checkpointMinutes > 0) { fail("training.checkpoint_minutes", "must be positive") }
        if !t.fineTuneCurriculum.allSatisfy({ $0 >= 1 }) {
            fail("training.fine_tune_curriculum", "rollout lengths must be at least 1 step, found \(t.fineTuneCurriculum)")
        }
        if t.fineTuneSteps < 0 { fail("training.fine_tune_steps", "must not be negative") }
        if t.threads < 1 { fail("training.threads", "must be at least 1, found \(t.threads)") }
        if t.prefetch < 0 { fail("training.prefetch", "must not be negative, found \(t.prefetch)") }
        if EmulatorDevice.parse(t.device) == nil { fail("training.device", "expected cpu or cuda:N, found '\(t.device)'") }
        if !["fp32", "bf16"].contains(t.precision) { fail("training.precision", "expected fp32 or bf16, found '\(t.precision)'") }
        return issues
    }
}
