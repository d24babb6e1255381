#ifndef PLUME_CHDF5_SHIM_H
#define PLUME_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5 exposes its native types and flags as macros that expand to global
   variables behind H5open(); Swift cannot import those, so they are functions here. */
static inline hid_t plume_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t plume_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t plume_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t plume_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t plume_h5t_c_s1(void) { return H5T_C_S1; }
static inline unsigned plume_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned plume_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline hid_t plume_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t plume_h5s_all(void) { return H5S_ALL; }
static inline hid_t plume_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }

/* Silence HDF5's automatic error stack printing; Plume reports errors itself. */
static inline void plume_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* Walk the innermost message of the current error stack into `buffer`. */
static herr_t plume_h5_error_walker(unsigned n, const H5E_error2_t *err, void *client) {
    char *buffer = (char *)client;
    if (err && err->desc && buffer[0] == 0) {
        snprintf(buffer, 512, "%s (in %s)", err->desc, err->func_name ? err->func_name : "?");
    }
    (void)n;
    return 0;
}
static inline void plume_h5_last_error(char *buffer512) {
    buffer512[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, plume_h5_error_walker, buffer512);
}
static inline size_t plume_h5t_variable(void) { return H5T_VARIABLE; }
#endif
