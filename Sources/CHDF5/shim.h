#ifndef PLUME_CHDF5_SHIM_H
#define PLUME_CHDF5_SHIM_H
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HDF5 exposes its native types and flags as macros that expand to global
   variables behind H5open(); Swift cannot import those, so they are functions here. */
static inline hid_t plume_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t plume_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t plume_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t plume_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t plume_h5t_c_s1(void) { return H5T_C_S1; }
static inline unsigned plume_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned plume_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned plume_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
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
static inline hid_t plume_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t plume_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }

/* The kind of the link `name` in group `loc` without following it: 0 hard, 1 soft,
   64 external, another H5L_type_t value for user-defined links, -1 on error.
   (H5Lget_info is a version-mapped macro.) */
static inline int plume_h5l_type(hid_t loc, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
}

/* Where the soft or external link `name` points, written into `buffer` ("/path" for a
   soft link, "file:/path" for an external one); -1 on error. */
static inline int plume_h5l_target(hid_t loc, const char *name, char *buffer, size_t size) {
    H5L_info_t info;
    if (size == 0 || H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    buffer[0] = 0;
    if (info.type == H5L_TYPE_SOFT) {
        if (info.u.val_size > size - 1) return -1;
        if (H5Lget_val(loc, name, buffer, size, H5P_DEFAULT) < 0) return -1;
        buffer[size - 1] = 0;
        return 0;
    }
    if (info.type == H5L_TYPE_EXTERNAL) {
        char value[4096];
        const char *file = NULL, *object = NULL;
        unsigned flags = 0;
        if (info.u.val_size > sizeof value) return -1;
        if (H5Lget_val(loc, name, value, sizeof value, H5P_DEFAULT) < 0) return -1;
        if (H5Lunpack_elink_val(value, info.u.val_size, &flags, &file, &object) < 0) return -1;
        snprintf(buffer, size, "%s:%s", file ? file : "?", object ? object : "?");
        return 0;
    }
    return -1;
}

/* A key identifying the object `oid` within the open files (file number and address), so
   that walks can notice groups reached twice (hard-link cycles, soft links to ancestors). */
static inline int plume_h5o_identity(hid_t oid, unsigned long long key[3]) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(oid, &info, H5O_INFO_BASIC) < 0) return -1;
    key[0] = (unsigned long long)info.fileno;
    memcpy(&key[1], &info.token, sizeof info.token < 16 ? sizeof info.token : 16);
#else
    H5O_info_t info;
    if (H5Oget_info2(oid, &info, H5O_INFO_BASIC) < 0) return -1;
    key[0] = (unsigned long long)info.fileno;
    key[1] = (unsigned long long)info.addr;
    key[2] = 0;
#endif
    return 0;
}
#if H5_VERSION_GE(1, 12, 0)
#define PLUME_H5R_OBJECT H5R_OBJECT1
#else
#define PLUME_H5R_OBJECT H5R_OBJECT
#endif

/* The dimension scales attached to dataset `did` through its DIMENSION_LIST attribute (a
   variable-length list of object references per dimension, as H5DSattach_scale writes it):
   for each of its `rank` dimensions, attached[i] = 1 and the identity key (see
   plume_h5o_identity) of the first scale in keys[3i ... 3i+2], or attached[i] = 0.
   Returns -1 when the attribute cannot be read that way. */
static inline int plume_h5ds_dimension_list(hid_t did, int rank, unsigned long long *keys, int *attached) {
    int result = -1;
    if (rank < 1) return -1;
    hid_t aid = H5Aopen(did, "DIMENSION_LIST", H5P_DEFAULT);
    if (aid < 0) return -1;
    hid_t space = H5Aget_space(aid);
    hid_t memtype = H5Tvlen_create(H5T_STD_REF_OBJ);
    hvl_t *lists = NULL;
    if (space >= 0 && memtype >= 0 && H5Sget_simple_extent_npoints(space) == rank) {
        lists = (hvl_t *)calloc((size_t)rank, sizeof(hvl_t));
        if (lists && H5Aread(aid, memtype, lists) >= 0) {
            result = 0;
            for (int i = 0; i < rank; i++) {
                attached[i] = 0;
                if (lists[i].len < 1 || !lists[i].p) continue;
                hobj_ref_t ref = ((hobj_ref_t *)lists[i].p)[0];
                hid_t oid = H5Rdereference2(did, H5P_DEFAULT, PLUME_H5R_OBJECT, &ref);
                if (oid < 0) continue;
                if (plume_h5o_identity(oid, keys + 3 * i) >= 0) attached[i] = 1;
                H5Oclose(oid);
            }
#if H5_VERSION_GE(1, 12, 0)
            H5Treclaim(memtype, space, H5P_DEFAULT, lists);
#else
            H5Dvlen_reclaim(memtype, space, H5P_DEFAULT, lists);
#endif
        }
    }
    free(lists);
    if (memtype >= 0) H5Tclose(memtype);
    if (space >= 0) H5Sclose(space);
    H5Aclose(aid);
    return result;
}
/* HDF5's (pre-1.12 style) object reference type, the type h5py and PyTables write. */
static inline hid_t plume_h5t_std_ref_obj(void) { return H5T_STD_REF_OBJ; }

/* The path of the object that object reference `ref` (an hobj_ref_t) points to, written
   into `buffer`; "" for a null reference; -1 when it cannot be resolved. */
static inline int plume_h5r_object_name(hid_t loc, const void *ref, char *buffer, size_t size) {
    if (size == 0) return -1;
    buffer[0] = 0;
    if (*(const hobj_ref_t *)ref == 0) return 0;
    if (H5Rget_name(loc, PLUME_H5R_OBJECT, ref, buffer, size) < 0) return -1;
    buffer[size - 1] = 0;
    return 0;
}

/* Fixes the metadata cache of every open HDF5 file named `path` at `bytes` (libhdf5 lets it
   grow adaptively to 32 MiB, so reading a long file record by record makes memory grow with
   the records read: the chunk index's B-tree nodes). netCDF-C opens the HDF5 file itself and
   gives no handle to it, so the file is found among the library's open files by name.
   Returns how many files were changed, or -1. */
static inline int plume_h5_limit_metadata_cache(const char *path, size_t bytes) {
    ssize_t count = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_FILE);
    if (count < 0) return -1;
    if (count == 0) return 0;
    hid_t *ids = (hid_t *)malloc((size_t)count * sizeof(hid_t));
    if (!ids) return -1;
    ssize_t n = H5Fget_obj_ids((hid_t)H5F_OBJ_ALL, H5F_OBJ_FILE, (size_t)count, ids);
    int changed = 0;
    for (ssize_t i = 0; i < n; i++) {
        char name[4096];
        ssize_t length = H5Fget_name(ids[i], name, sizeof name);
        if (length <= 0 || (size_t)length >= sizeof name || strcmp(name, path) != 0) continue;
        H5AC_cache_config_t config;
        memset(&config, 0, sizeof config);
        config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
        if (H5Fget_mdc_config(ids[i], &config) < 0) continue;
        config.set_initial_size = 1;
        config.initial_size = bytes;
        config.min_size = bytes;
        config.max_size = bytes;
        if (H5Fset_mdc_config(ids[i], &config) >= 0) changed++;
    }
    free(ids);
    return n < 0 ? -1 : changed;
}

#endif
