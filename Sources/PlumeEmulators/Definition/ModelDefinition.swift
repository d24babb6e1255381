/// Everything that defines an emulator before it is trained: what it predicts, from which
/// inputs, on which grid, with which network, processing and training schedule. Read from a
/// model file (YAML, see `ModelDefinition.load(path:)`) and stored in every checkpoint.
///
///     name: unet-lowres-co2
///     task: transport
///     grid: latlon5.625
///     levels: 10
///     time_step_hours: 6
///     variables:
///       prognostic: [co2massmix]
///       forcing: [airmass, u, v, blh, co2flux_land, co2flux_ocean, co2flux_anthro]
///       static: [orography, cell_area]
///       computed: [latitude, time_of_year]
///     architecture: {kind: unet, embed: 32, depth: 3}
///     processing: {mass_fixer: scale}
///     training: {batch_size: 8, steps: 4000}
public struct ModelDefinition: Codable, Sendable, Equatable {
    /// What the emulator steps forward.
    public enum Task: String, Codable, Sendable, CaseIterable {
        /// A tracer (CO2) carried by given meteorology: mass fixer and surface fluxes apply.
        case transport
        /// The atmosphere itself (shallow-water u, v, h): no tracer post-processing.
        case weather
    }

    /// A name for logs and output metadata.
    public var name: String
    public var task: Task
    /// Grid catalogue name (`latlon5.625`, `latlon2.8125`): a regular global latitude–longitude grid.
    public var grid: String
    /// Levels of every 3-D variable (`[time, level, lat, lon]`); 2-D variables have none.
    public var levels: Int
    /// Hours between the input state and the predicted one.
    public var timeStepHours: Double
    public var variables: Variables
    public var architecture: Architecture
    public var processing: Processing
    public var training: Training

    public init(name: String, task: Task, grid: String, levels: Int, timeStepHours: Double = 6,
                variables: Variables, architecture: Architecture, processing: Processing = Processing(),
                training: Training = Training()) {
        self.name = name
        self.task = task
        self.grid = grid
        self.levels = levels
        self.timeStepHours = timeStepHours
        self.variables = variables
        self.architecture = architecture
        self.processing = processing
        self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case name, task, grid, levels
        case timeStepHours = "time_step_hours"
        case variables, architecture, processing, training
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        task = try c.decode(Task.self, forKey: .task)
        grid = try c.decode(String.self, forKey: .grid)
        levels = try c.decodeIfPresent(Int.self, forKey: .levels) ?? 1
        timeStepHours = try c.decodeIfPresent(Double.self, forKey: .timeStepHours) ?? 6
        variables = try c.decode(Variables.self, forKey: .variables)
        architecture = try c.decode(Architecture.self, forKey: .architecture)
        processing = try c.decodeIfPresent(Processing.self, forKey: .processing) ?? Processing()
        training = try c.decodeIfPresent(Training.self, forKey: .training) ?? Training()
    }
}

extension ModelDefinition {
    /// The variables of a model, by role. Names are those of the data files.
    public struct Variables: Codable, Sendable, Equatable {
        /// Predicted and fed back: read at t, predicted at t + Δt.
        public var prognostic: [String]
        /// Given at both t and t + Δt (meteorology for a tracer, surface fluxes), never predicted.
        public var forcing: [String]
        /// Constant in time (`[lat, lon]` or `[level, lat, lon]` in the file).
        public var `static`: [String]
        /// Inputs computed, not read: `latitude` (sin and cos of latitude), `time_of_year`
        /// (sin and cos of 2π·day-of-year/365.25 at t).
        public var computed: [ComputedInput]

        public init(prognostic: [String], forcing: [String] = [], static: [String] = [], computed: [ComputedInput] = []) {
            self.prognostic = prognostic
            self.forcing = forcing
            self.static = `static`
            self.computed = computed
        }

        enum CodingKeys: String, CodingKey {
            case prognostic, forcing
            case `static`
            case computed
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            prognostic = try c.decode([String].self, forKey: .prognostic)
            forcing = try c.decodeIfPresent([String].self, forKey: .forcing) ?? []
            self.static = try c.decodeIfPresent([String].self, forKey: .static) ?? []
            computed = try c.decodeIfPresent([ComputedInput].self, forKey: .computed) ?? []
        }

        /// Every variable read from the data files: prognostic, forcing, static.
        public var fileVariables: [String] { prognostic + forcing + self.static }
    }

    /// Inputs computed from the grid and the date.
    public enum ComputedInput: String, Codable, Sendable, CaseIterable {
        case latitude
        case timeOfYear = "time_of_year"

        /// Channels this input adds.
        public var channels: Int { 2 }
    }

    /// The network and its size.
    public enum Architecture: Codable, Sendable, Equatable {
        case unet(UNetConfiguration)
        case meshGNN(MeshGNNConfiguration)
        case swin(SwinConfiguration)

        /// The `kind` key of the model file.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case unet
            case meshGNN = "mesh_gnn"
            case swin
        }

        public var kind: Kind {
            switch self {
            case .unet: .unet
            case .meshGNN: .meshGNN
            case .swin: .swin
            }
        }

        enum KindKey: String, CodingKey { case kind }

        public init(from decoder: any Decoder) throws {
            let kind = try decoder.container(keyedBy: KindKey.self).decode(Kind.self, forKey: .kind)
            switch kind {
            case .unet: self = .unet(try UNetConfiguration(from: decoder))
            case .meshGNN: self = .meshGNN(try MeshGNNConfiguration(from: decoder))
            case .swin: self = .swin(try SwinConfiguration(from: decoder))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: KindKey.self)
            try c.encode(kind, forKey: .kind)
            switch self {
            case .unet(let configuration): try configuration.encode(to: encoder)
            case .meshGNN(let configuration): try configuration.encode(to: encoder)
            case .swin(let configuration): try configuration.encode(to: encoder)
            }
        }

        /// The default configuration of `kind` (the schema a model file is checked against).
        public static func defaults(_ kind: Kind) -> Architecture {
            switch kind {
            case .unet: .unet(UNetConfiguration())
            case .meshGNN: .meshGNN(MeshGNNConfiguration())
            case .swin: .swin(SwinConfiguration())
            }
        }
    }
}
